"""A large synthetic corpus made from the SQuAD articles, to measure builds and search at scale.

Edition 1 of each article is the article itself. Every later edition keeps the article's
paragraph shapes but refills them with its sentences rotated by a different stride, so each
edition's passages are new texts (and must be embedded), while the sentences repeat, as they
do across real articles that quote and follow one another.
"""

from __future__ import annotations

import json
from pathlib import Path

from index.corpus.articles import read_article
from index.corpus.passages import MAX_PASSAGE_CHARS, chunk_article
from index.words.sentences import split_sentences


def _paragraphs(text: str) -> list[list[str]]:
    """The article's paragraphs, each as its sentences."""
    out = []
    for block in text.split("\n"):
        sentences = [block[a:b] for a, b in split_sentences(block, MAX_PASSAGE_CHARS)]
        if sentences:
            out.append(sentences)
    return out


def edition(paragraphs: list[list[str]], number: int) -> str:
    """Edition ``number`` (1: the original) of an article given as paragraphs of sentences."""
    if number == 1:
        return "\n\n".join(" ".join(p) for p in paragraphs)
    flat = [s for p in paragraphs for s in p]
    stride = 1 + (number * 7) % max(1, len(flat) - 1)
    rotated = [flat[(i * stride + number) % len(flat)] for i in range(len(flat))]
    if len(set(rotated)) < len(flat):  # a stride sharing a factor with the length repeats
        rotated = flat[number % len(flat) :] + flat[: number % len(flat)]
    out, start = [], 0
    for p in paragraphs:
        out.append(" ".join(rotated[start : start + len(p)]))
        start += len(p)
    return "\n\n".join(out)


def synthetic_corpus(squad_jsonl: Path, folder: Path, passages: int) -> Path:
    """Write editions of every SQuAD article into ``folder`` as .txt files, one round of
    editions after another, until they make at least ``passages`` passages."""
    articles = [json.loads(line) for line in squad_jsonl.read_text(encoding="utf-8").splitlines()]
    return editions_corpus([(a["title"], _paragraphs(a["text"])) for a in articles], folder, passages)


def article_shape(text: str) -> list[list[str]]:
    """An article's text as paragraphs of sentences, the shape ``editions_corpus`` takes."""
    return _paragraphs(text)


def editions_corpus(shapes: list[tuple[str, list[list[str]]]], folder: Path, passages: int) -> Path:
    """Write editions of each (name, paragraphs) article into ``folder`` as .txt files, one
    round of editions after another, until they make at least ``passages`` passages."""
    folder.mkdir(parents=True, exist_ok=True)
    made, number = 0, 0
    while made < passages:
        number += 1
        for name, paragraphs in shapes:
            title = name.replace("_", " ") + ("" if number == 1 else f" (edition {number})")
            body = f"---\ntitle: {json.dumps(title)}\n---\n{edition(paragraphs, number)}\n"
            path = folder / f"{name}-{number:05d}.txt"
            path.write_text(body, encoding="utf-8")
            made += len(chunk_article(read_article(path)))
            if made >= passages:
                break
    return folder
