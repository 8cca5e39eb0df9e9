"""The reader as a torch module (for training and export only): the bundled MiniLM reading a
question and a sentence together, with a head that says whether the sentence answers and a
head that marks the words that do."""

from __future__ import annotations

import warnings
from pathlib import Path

import torch
from torch import nn


class Reader(nn.Module):
    """MiniLM over ``[CLS] question [SEP] sentence [SEP]``.

    Relevance reads the first token, the mean of all tokens, and the product of the question's
    and the sentence's mean tokens: this bi-encoder was trained to mean-pool, so the means carry
    what it knows from the start (a head on the first token alone did not learn at 3 layers).
    Span: a start and an end logit for every token.
    """

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.relevance = nn.Sequential(nn.Dropout(0.1), nn.Linear(3 * hidden, 1))
        self.span = nn.Linear(hidden, 2)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        tokens = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        second = token_type_ids.unsqueeze(-1).to(tokens.dtype) * mask
        first = mask - second

        def mean(weights: torch.Tensor) -> torch.Tensor:
            return (tokens * weights).sum(1) / weights.sum(1).clamp(min=1.0)

        pooled = torch.cat([tokens[:, 0], mean(mask), mean(first) * mean(second)], dim=-1)
        relevance = self.relevance(pooled).squeeze(-1)
        start, end = self.span(tokens).unbind(-1)
        return relevance, start, end


def load_base(model_dir: Path, layers: int) -> Reader:
    """A reader whose encoder is the first ``layers`` layers of the bundled model."""
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager", local_files_only=True)
    if layers < len(encoder.encoder.layer):
        encoder.encoder.layer = encoder.encoder.layer[:layers]
        encoder.config.num_hidden_layers = layers
    return Reader(encoder)


def export_onnx(model: Reader, target: Path) -> None:
    """The reader as one ONNX graph: inputs ids, mask and type ids; outputs relevance, start, end."""
    model.eval()
    dummy = torch.ones(2, 12, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (dummy, dummy, dummy),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["relevance", "start", "end"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "relevance": {0: "batch"},
                "start": axes,
                "end": axes,
            },
            opset_version=17,
            dynamo=False,
        )


def quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantization of the reader's matrix products (weights per channel)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
