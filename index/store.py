"""The index on disk: a folder of FAISS files, passages, BM25 data and a checksummed manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np

from index.lexical import LexicalIndex
from index.passages import ChunkSettings, Passage
from index.vocabulary import Vocabulary

log = logging.getLogger(__name__)

FORMAT_VERSION = 3  # 3: the corpus vocabulary and its word vectors; the refusal calibration
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
PASSAGE_VECTORS = "passages.faiss"
SENTENCE_VECTORS = "sentences.faiss"
BM25_DIR = "bm25"


class IndexUnusable(RuntimeError):
    """An index folder that must not be served: missing, stale, unreadable or damaged."""


@dataclass(frozen=True)
class ArticleInfo:
    """What the manifest records of one indexed article."""

    slug: str
    title: str
    source: str
    url: str
    date: str
    passages: int


@dataclass(frozen=True)
class Manifest:
    """What an index was built from and with, and a checksum of every file in it."""

    format_version: int
    model: str
    dimension: int
    chunking: dict
    corpus_checksum: str
    corpus_path: str
    threshold: float
    built_at: str
    passages: int
    sentences: int
    articles: tuple[ArticleInfo, ...]
    calibration: dict = field(default_factory=dict)  # what the refusal threshold was set from
    files: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        return cls(**{**data, "articles": tuple(ArticleInfo(**a) for a in data["articles"])})


@dataclass
class PassageIndex:
    """Everything a query needs: passages, their dense vectors, BM25, and the manifest."""

    manifest: Manifest
    passages: list[Passage]
    passage_vectors: faiss.Index
    sentence_vectors: faiss.Index
    lexical: LexicalIndex
    vocabulary: Vocabulary
    sentence_owner: np.ndarray  # passage number of each sentence row
    sentence_first: np.ndarray  # first sentence row of each passage

    @classmethod
    def assemble(
        cls,
        manifest: Manifest,
        passages: list[Passage],
        passage_vectors: faiss.Index,
        sentence_vectors: faiss.Index,
        lexical: LexicalIndex,
        vocabulary: Vocabulary,
    ) -> PassageIndex:
        counts = np.array([len(p.sentences) for p in passages], dtype=np.int64)
        owner = np.repeat(np.arange(len(passages), dtype=np.int64), counts)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        return cls(manifest, passages, passage_vectors, sentence_vectors, lexical, vocabulary, owner, first)


# Above this many vectors an exact scan stops being cheap on two cores (50,000 x 384 floats
# is 77 MB read per question), and the index becomes an HNSW graph: approximate, with its
# recall against exact search measured in tests and in the benchmark.
APPROXIMATE_FROM = 50_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 512  # recall@10 on 51,502 passages: 0.959 at 128, 0.989 at 256, 0.995 at 512 (p50 10 ms)


def flat_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner-product search; on normalized vectors the inner product is the cosine."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def hnsw_index(vectors: np.ndarray) -> faiss.Index:
    """Approximate inner-product search on an HNSW graph; it keeps the vectors themselves, so
    ``reconstruct`` still gives them back exactly."""
    index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.hnsw.efSearch = HNSW_EF_SEARCH
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def vector_index(vectors: np.ndarray, approximate_from: int | None = None) -> faiss.Index:
    """Exact search for a corpus this size, an HNSW graph above ``approximate_from`` vectors."""
    limit = APPROXIMATE_FROM if approximate_from is None else approximate_from
    return hnsw_index(vectors) if len(vectors) >= limit else flat_index(vectors)


def stored_vectors(index: faiss.Index) -> np.ndarray:
    """The vectors an exact or HNSW index holds, as an array over its own memory (no copy):
    valid while the index lives and grows no more."""
    flat = faiss.downcast_index(index.storage) if isinstance(index, faiss.IndexHNSW) else index
    if flat.ntotal == 0:
        return np.zeros((0, flat.d), dtype=np.float32)
    return faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)


TIE = 1e-4  # scores this close to the k-th true one are ties: either vector is a right answer


def recall_at(index: faiss.Index, queries: np.ndarray, k: int = 10, by_id: bool = False) -> float:
    """The share of each query's true ``k`` nearest vectors (by exact search over the same
    vectors) that ``index`` finds, averaged over the queries.

    A found vector counts when it scores at least the k-th true score (less ``TIE``), as in
    the distance-based recall of ANN benchmarks: a corpus that holds a sentence twice has two
    equally right answers, and exact search's choice between them is arbitrary. ``by_id``
    counts only the very rows exact search returned.
    """
    k = min(k, index.ntotal)
    if k == 0 or len(queries) == 0:
        return 1.0
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    true_scores, truth = flat_index(index.reconstruct_n(0, index.ntotal)).search(queries, k)
    scores, found = index.search(queries, k)
    if by_id:
        return float(np.mean([len(set(t) & set(f)) / k for t, f in zip(truth, found, strict=True)]))
    return float(np.mean((scores >= true_scores[:, -1:] - TIE) & (found >= 0)))


def _searchable(index: faiss.Index) -> faiss.Index:
    """A loaded index set to search as this version does (efSearch is a search setting, not
    part of the graph: changing it needs no rebuild)."""
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def save(index: PassageIndex, folder: Path) -> None:
    """Write the index to ``folder``, replacing what was there only once all of it is written."""
    folder = Path(folder)
    if not _replaceable(folder):
        raise IndexUnusable(
            f"{folder} holds files that are not a citebot index; choose an empty or new folder"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        with (tmp / PASSAGES).open("w", encoding="utf-8") as fh:
            for p in index.passages:
                fh.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
        faiss.write_index(index.passage_vectors, str(tmp / PASSAGE_VECTORS))
        faiss.write_index(index.sentence_vectors, str(tmp / SENTENCE_VECTORS))
        index.lexical.save(tmp / BM25_DIR)
        index.vocabulary.save(tmp)
        files = {str(p.relative_to(tmp)): sha256_file(p) for p in _files(tmp)}
        manifest = {**asdict(index.manifest), "files": files}
        text = json.dumps({**manifest, "checksum": _manifest_digest(manifest)}, indent=2, ensure_ascii=False)
        (tmp / MANIFEST).write_text(text, encoding="utf-8")
        index.manifest = Manifest.from_json(manifest)
        _swap_in(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _replaceable(folder: Path) -> bool:
    """Only an empty folder or an earlier index may be replaced: never someone's own files."""
    return not folder.exists() or (
        folder.is_dir() and (not any(folder.iterdir()) or (folder / MANIFEST).is_file())
    )


def _swap_in(new: Path, folder: Path) -> None:
    """Put a finished build in place; a reader sees the old index or the new, never a mix."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
    os.replace(new, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _manifest_digest(data: dict) -> str:
    """A digest of the manifest's own values, so an edited threshold or setting is caught."""
    body = {k: v for k, v in data.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def read_manifest(folder: Path) -> Manifest:
    """The manifest of an index folder.

    Raises:
        IndexUnusable: no index there, or a manifest that cannot be read.
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise IndexUnusable(f"no index in {folder}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("checksum") != _manifest_digest(data):
            raise ValueError("its checksum does not match its contents")
        manifest = Manifest.from_json({k: v for k, v in data.items() if k != "checksum"})
        if not isinstance(manifest.files, dict) or not isinstance(manifest.threshold, (int, float)):
            raise ValueError("files or threshold has the wrong type")
        return manifest
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError) as exc:
        raise IndexUnusable(f"unreadable manifest in {folder}: {exc}") from exc


def check_manifest(manifest: Manifest, expected: dict) -> None:
    """Raise IndexUnusable naming the first recorded setting that differs from ``expected``."""
    if manifest.format_version != FORMAT_VERSION:
        raise IndexUnusable(f"index format {manifest.format_version}, this version reads {FORMAT_VERSION}")
    for key, want in expected.items():
        have = getattr(manifest, key)
        if have != want:
            raise IndexUnusable(f"stale index: {key.replace('_', ' ')} changed")


def load(folder: Path, expected: dict | None = None) -> PassageIndex:
    """Read an index folder, verifying every file against the manifest's checksums.

    Args:
        folder: the index folder.
        expected: manifest values the index must have (model, chunking, corpus checksum...).

    Raises:
        IndexUnusable: missing, stale, damaged or inconsistent; such an index is never served.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    check_manifest(manifest, expected or {})
    present = {str(p.relative_to(folder)) for p in _files(folder)}
    if present != set(manifest.files):
        raise IndexUnusable(f"damaged index in {folder}: files differ from the manifest")
    for name, digest in manifest.files.items():
        if sha256_file(folder / name) != digest:
            raise IndexUnusable(f"damaged index in {folder}: {name} fails its checksum")
    try:
        with (folder / PASSAGES).open(encoding="utf-8") as fh:
            passages = [Passage.from_json(json.loads(line)) for line in fh]
        passage_vectors = _searchable(faiss.read_index(str(folder / PASSAGE_VECTORS)))
        sentence_vectors = _searchable(faiss.read_index(str(folder / SENTENCE_VECTORS)))
        lexical = LexicalIndex.load(folder / BM25_DIR, len(passages))
        vocabulary = Vocabulary.load(folder)
    except Exception as exc:  # any reader failure means the same thing: do not serve it
        raise IndexUnusable(f"unreadable index in {folder}: {exc}") from exc
    n_sentences = sum(len(p.sentences) for p in passages)
    if (
        len(passages) != manifest.passages
        or passage_vectors.ntotal != len(passages)
        or sentence_vectors.ntotal != n_sentences
        or passage_vectors.d != manifest.dimension
    ):
        raise IndexUnusable(f"inconsistent index in {folder}: counts differ from the manifest")
    return PassageIndex.assemble(manifest, passages, passage_vectors, sentence_vectors, lexical, vocabulary)


def chunking_json(settings: ChunkSettings) -> dict:
    """Chunking settings as the manifest records them."""
    return asdict(settings)
