"""The plain pipeline citebot is measured against: one passage per paragraph line,
sentence-transformers ``encode``, FAISS ``IndexFlatIP``, nothing else."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from index.store.encoder import Encoder


class PlainPipeline:
    """Dense-only retrieval over the article's non-empty lines."""

    def __init__(self, article: Path, encoder: Encoder) -> None:
        self.paragraphs = [line for line in article.read_text(encoding="utf-8").splitlines() if line.strip()]
        self.encoder = encoder
        vectors = encoder.encode(self.paragraphs)
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(vectors)

    def query(self, question: str, k: int = 3) -> list[str]:
        q = self.encoder.encode([question])
        _, rows = self.index.search(np.ascontiguousarray(q), k)
        return [self.paragraphs[r] for r in rows[0] if r >= 0]


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.plain QUESTION``: the plain pipeline from a cold start, as a user would
    put it together: load the model, embed the article, answer once."""
    import sys

    from index.corpus.articles import BUILTIN_CORPUS

    question = " ".join(argv if argv is not None else sys.argv[1:]) or "Who visited Russia on Tuesday?"
    pipeline = PlainPipeline(BUILTIN_CORPUS / "nk-troops.txt", Encoder())
    print(pipeline.query(question)[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
