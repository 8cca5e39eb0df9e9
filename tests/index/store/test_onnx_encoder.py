"""The fast query path: the ONNX export reproduces the model, and answering needs no torch."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.answering.engine import Engine
from index.build import open_index
from index.corpus.articles import BUILTIN_CORPUS
from index.library import Library
from index.store import onnx_encoder
from index.store.onnx_encoder import MANIFEST_FILE, MODEL_FILE, OnnxEncoder

ROOT = Path(__file__).resolve().parents[3]
QUESTIONS = [
    "How many North Korean troops are in Russia for training?",
    "Who is the Pentagon spokesperson?",
    "What did NATO report on Monday?",
    "When did Russia invade Ukraine?",
    "What is the capital of Australia?",
]


@pytest.fixture(scope="session")
def exported(tmp_path_factory, encoder) -> Path:
    folder = tmp_path_factory.mktemp("export") / "onnx-model"
    assert onnx_encoder.export(folder, encoder) is not None
    return folder


def test_the_export_reproduces_the_model_one_by_one_and_in_batches(exported, encoder, engine):
    fast = OnnxEncoder(exported)
    texts = QUESTIONS + [p.text for p in engine.index.passages]
    reference = encoder.encode(texts)
    one_by_one = np.vstack([fast.encode([t]) for t in texts])
    batched = fast.encode(texts, batch_size=7)
    assert (one_by_one * reference).sum(axis=1).min() > 0.9999
    assert (batched * reference).sum(axis=1).min() > 0.9999
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert fast.encode([]).shape == (0, fast.dimension) == (0, encoder.dimension)


def test_answers_are_the_same_with_either_encoder(exported, engine):
    fast = Engine(engine.index, OnnxEncoder(exported))
    for question in QUESTIONS:
        a, b = engine.answer(question), fast.answer(question)
        assert (a.answered, a.sentence) == (b.answered, b.sentence)
        assert [c.id for c in a.citations] == [c.id for c in b.citations]


def test_a_damaged_stale_or_missing_export_is_not_loaded(exported, tmp_path):
    copy = tmp_path / "onnx-model"
    shutil.copytree(exported, copy)
    assert onnx_encoder.load(copy) is not None
    data = bytearray((copy / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / MODEL_FILE).write_bytes(bytes(data))
    assert onnx_encoder.load(copy) is None
    shutil.copy(exported / MODEL_FILE, copy / MODEL_FILE)
    manifest = (copy / MANIFEST_FILE).read_text().replace("all-MiniLM-L6-v2", "another-model")
    (copy / MANIFEST_FILE).write_text(manifest)
    assert onnx_encoder.load(copy) is None
    (copy / MANIFEST_FILE).write_text("{not json")
    assert onnx_encoder.load(copy) is None
    assert onnx_encoder.load(tmp_path / "nowhere") is None


def test_library_open_makes_the_export_and_uses_it(builtin_index_dir, exported, tmp_path):
    index_dir = tmp_path / "data" / "index"
    shutil.copytree(builtin_index_dir, index_dir)
    engine = Library.open(BUILTIN_CORPUS, tmp_path / "data", index_dir).engine
    assert isinstance(engine.encoder, OnnxEncoder)
    assert (tmp_path / "data" / "onnx-model" / MODEL_FILE).is_file()
    assert engine.answer(QUESTIONS[0]).answered


def test_answering_from_a_built_index_imports_no_torch(builtin_index_dir, exported, tmp_path):
    shutil.copytree(builtin_index_dir, tmp_path / "data" / "index")
    shutil.copytree(exported, tmp_path / "data" / "onnx-model")
    code = (
        "import sys\n"
        "from bot.console import main\n"
        f"assert main([{QUESTIONS[0]!r}]) == 0\n"
        "heavy = ('torch', 'sentence_transformers', 'transformers', 'sklearn')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout
    assert re.search(r"\*\*[^*\n]*10,000\*\*", done.stdout)  # the reader's span, in bold, holds the answer


def test_when_the_export_fails_torch_answers(encoder, tmp_path, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ImportError("no onnxruntime on this platform")

    monkeypatch.setattr(onnx_encoder, "_export", broken)
    assert onnx_encoder.export(tmp_path / "onnx-model", encoder) is None
    assert "staying with torch" in caplog.text
    assert not (tmp_path / "onnx-model").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary folder left behind


def test_without_an_export_questions_use_torch_on_one_thread(encoder, tmp_path, monkeypatch, caplog):
    import torch

    from index.answering.engine import query_encoder

    def broken(*args, **kwargs):
        raise RuntimeError("the exporter fell over")

    monkeypatch.setattr(onnx_encoder, "_export", broken)
    before = torch.get_num_threads()
    try:
        chosen = query_encoder(tmp_path / "data" / "index")
        assert chosen is encoder and torch.get_num_threads() == 1
        assert "encoded with torch (1 thread)" in caplog.text
    finally:
        torch.set_num_threads(before)


def test_an_export_that_disagrees_with_torch_is_rejected_and_torch_answers(
    builtin_index_dir, exported, encoder, tmp_path, monkeypatch, caplog
):
    """A graph that drifts from the model (cosine about 0.995: close, but not the model) is
    never kept, and questions go through torch instead."""
    import torch

    from index.answering.engine import query_encoder

    real = OnnxEncoder.encode

    def drifting(self, texts, batch_size=64):
        vectors = real(self, texts, batch_size)
        noise = np.random.default_rng(0).standard_normal(vectors.shape).astype(np.float32)
        drifted = vectors + 0.1 / np.sqrt(vectors.shape[1]) * noise
        return drifted / np.linalg.norm(drifted, axis=1, keepdims=True)

    def traced_before(torch, model, dummy, axes, target):  # the same graph, without tracing again
        shutil.copy(exported / MODEL_FILE, target)

    monkeypatch.setattr(OnnxEncoder, "encode", drifting)
    monkeypatch.setattr(onnx_encoder, "_export", traced_before)
    index_dir = tmp_path / "index"
    shutil.copytree(builtin_index_dir, index_dir)
    shutil.rmtree(onnx_encoder.onnx_dir(index_dir), ignore_errors=True)
    threads = torch.get_num_threads()
    try:
        chosen = query_encoder(index_dir)
    finally:
        torch.set_num_threads(threads)
    assert chosen is encoder  # torch, not the export
    assert "disagrees with the model" in caplog.text
    assert not onnx_encoder.onnx_dir(index_dir).exists()  # nothing kept to be loaded next time
    index, _ = open_index(BUILTIN_CORPUS, index_dir, chosen)
    assert Engine(index, chosen).answer(QUESTIONS[0]).answered
