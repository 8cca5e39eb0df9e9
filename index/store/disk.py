"""The index on disk: a folder of segments (index/store/segments.py), the rows deleted from them,
and a checksummed manifest."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from index.corpus.passages import ChunkSettings, Passage, context_text
from index.errors import CitebotError
from index.store.lexical import LexicalIndex
from index.store.segments import Segment, live_parts, masks
from index.store.vectors import Vectors
from index.words.vocabulary import Vocabulary

log = logging.getLogger(__name__)

# 3: the corpus vocabulary and its word vectors; the refusal calibration. 4: a passage keeps
# the page it stands on (PDFs' page markers), paragraphs counted from 1 on each page
# 6: passages, vectors, BM25 counts and words kept in segments: a change writes its own (issue 23)
FORMAT_VERSION = 6
MANIFEST = "manifest.json"
SEGMENTS = "segments"
DELETED = "deleted.json"  # each segment's deleted rows


class IndexUnusable(CitebotError, RuntimeError):
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
    segments: tuple[str, ...] = ()  # the segments' names, in row order

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        return cls(
            **{
                **data,
                "articles": tuple(ArticleInfo(**a) for a in data["articles"]),
                "segments": tuple(str(n) for n in data.get("segments", ())),
            }
        )


@dataclass
class PassageIndex:
    """Everything a query needs: passages, their dense vectors, BM25, and the manifest; all of
    it numbered over the live passages of the segments, in order."""

    manifest: Manifest
    passages: list[Passage]
    passage_vectors: Vectors
    sentence_vectors: Vectors
    lexical: LexicalIndex
    vocabulary: Vocabulary
    sentence_owner: np.ndarray  # passage number of each sentence row
    sentence_first: np.ndarray  # first sentence row of each passage
    segments: tuple[Segment, ...]
    deleted: dict[str, frozenset[int]]  # each segment's deleted rows (segments without any: absent)

    @classmethod
    def of_segments(
        cls,
        manifest: Manifest,
        segments: Sequence[Segment],
        deleted: Mapping[str, Iterable[int]] | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> PassageIndex:
        """The index of ``segments`` less their ``deleted`` rows; ``vocabulary`` when it is
        already known (else combined from the segments' words, less the deleted passages')."""
        deleted = {name: frozenset(int(r) for r in rows) for name, rows in (deleted or {}).items() if rows}
        dead = masks(segments, deleted)
        kept = [
            (p, d)
            for s, m in zip(segments, dead, strict=True)
            for p, d in zip(s.passages, m.tolist(), strict=True)
        ]
        passages = [p for p, d in kept if not d]
        if vocabulary is None:
            gone = (context_text(p) for p, d in kept if d)
            vocabulary = Vocabulary.combine([s.words for s in segments], gone)
        passage_vectors, sentence_vectors = live_parts(segments, deleted)
        counts = np.array([len(p.sentences) for p in passages], dtype=np.int64)
        owner = np.repeat(np.arange(len(passages), dtype=np.int64), counts)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        lexical = LexicalIndex([s.terms for s in segments], dead)
        manifest = replace(manifest, segments=tuple(s.name for s in segments))
        return cls(
            manifest,
            passages,
            passage_vectors,
            sentence_vectors,
            lexical,
            vocabulary,
            owner,
            first,
            tuple(segments),
            deleted,
        )


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


# An index folder is a symbolic link to the version it serves, ``.<name>.v-<id>`` beside it:
# a save writes the next version as ``.<name>.new-<id>``, makes it durable, renames it a
# version and replaces the link in one rename, so the index is at every instant the old one
# or the new one, whole. What a killed save leaves (a temporary, a version no link names, a
# link not yet renamed, a folder moved aside by older versions of citebot) is removed at the
# next start or save; a missing index is put back from a whole copy beside it.
_LEFT_BY_SAVES = re.compile(r"\.(?P<name>.+)\.(?P<kind>new|v|link|old)-[^/]*")
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class IndexNotSaved(CitebotError, OSError):
    """A save that could not be finished; the index before it is still the one on disk."""


def save(index: PassageIndex, folder: Path) -> None:
    """Write the index to ``folder``, replacing what was there only once all of it is written
    and on disk; a crash at any instant leaves the old index or the new one, whole.

    Raises:
        IndexUnusable: ``folder`` holds someone's own files.
        IndexNotSaved: the index could not be written (the message says why: a full disk...).
    """
    folder = Path(folder)
    if not _replaceable(folder):
        raise IndexUnusable(
            f"{folder} holds files that are not a citebot index; choose an empty or new folder"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _locked(folder.parent) as parent:
        _tidy(folder, parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
        try:
            manifest = _write(index, tmp, folder.resolve() if folder.is_dir() else None)
        except (OSError, RuntimeError) as exc:  # faiss reports a failed write as RuntimeError
            shutil.rmtree(tmp, ignore_errors=True)
            raise IndexNotSaved(_why_not_written(exc)) from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _swap_in(tmp, folder, parent)
    index.manifest = manifest


def _write(index: PassageIndex, tmp: Path, served: Path | None) -> Manifest:
    """Every file of the index in ``tmp``, the manifest last, all of it on disk. A segment the
    served version (``served``) already holds is hard-linked from it, not written again: a
    change writes only its own segment (segments are never changed once written)."""
    linked = _served_files(served)
    files: dict[str, str] = {}
    written: list[Path] = []
    for segment in index.segments:
        folder = f"{SEGMENTS}/{segment.name}"
        if served is not None and _link_segment(served, tmp, folder, linked, files):
            continue
        segment.save(tmp / folder)
        for path in _files(tmp / folder):
            files[str(path.relative_to(tmp))] = sha256_file(path)
            written.append(path)
    deleted = {name: sorted(rows) for name, rows in index.deleted.items()}
    (tmp / DELETED).write_text(json.dumps(deleted), encoding="utf-8")
    files[DELETED] = sha256_file(tmp / DELETED)
    written.append(tmp / DELETED)
    manifest = {**asdict(index.manifest), "segments": [s.name for s in index.segments], "files": files}
    text = json.dumps({**manifest, "checksum": _manifest_digest(manifest)}, indent=2, ensure_ascii=False)
    (tmp / MANIFEST).write_text(text, encoding="utf-8")
    for path in (*written, tmp / MANIFEST):
        _fsync(path)
    for path in sorted((p for p in tmp.rglob("*") if p.is_dir()), reverse=True):
        _fsync(path)
    _fsync(tmp)
    return Manifest.from_json(manifest)


def _served_files(served: Path | None) -> dict[str, str]:
    """The files of the served version, with their digests (none when it has no manifest)."""
    if served is None:
        return {}
    try:
        return dict(read_manifest(served).files)
    except IndexUnusable:
        return {}


def _link_segment(
    served: Path, tmp: Path, folder: str, linked: dict[str, str], files: dict[str, str]
) -> bool:
    """Hard-link a segment's files from the served version into ``tmp``, their digests taken
    from its manifest; False (and nothing left in ``tmp``) when it is not there whole or the
    file system cannot link."""
    names = {name: digest for name, digest in linked.items() if name.startswith(folder + "/")}
    if not names:
        return False
    try:
        (tmp / folder).mkdir(parents=True)
        for name in names:
            os.link(served / name, tmp / name)
    except OSError:
        shutil.rmtree(tmp / folder, ignore_errors=True)
        return False
    files.update(names)
    return True


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's contents to the disk (a folder's: the names in it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _why_not_written(exc: BaseException) -> str:
    """A short reason for a failed save, naming no server path."""
    errno_ = exc.errno if isinstance(exc, OSError) else None
    if errno_ in _NO_SPACE or any(os.strerror(e) in str(exc) for e in _NO_SPACE):
        return "not enough disk space to save the index"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    return f"the index could not be saved ({reason})"


@contextmanager
def _locked(parent: Path) -> Iterator[int]:
    """The parent folder, open and locked: one save or tidy at a time, across processes (the
    lock goes with the process, however it ends)."""
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _replaceable(folder: Path) -> bool:
    """Only an empty folder or an earlier index may be replaced: never someone's own files."""
    return not folder.exists() or (
        folder.is_dir() and (not any(folder.iterdir()) or (folder / MANIFEST).is_file())
    )


def _swap_in(new: Path, folder: Path, parent: int) -> None:
    """Put a finished build in place with one rename of a link; a reader sees the old index or
    the new, never a mix, never none. An index folder of older versions (a real folder) is moved
    aside just before; should the rename fail, it is put back and the new build deleted."""
    suffix = new.name.removeprefix(f".{folder.name}.new-")
    version = new.with_name(f".{folder.name}.v-{suffix}")
    link = new.with_name(f".{folder.name}.link-{suffix}")
    served, aside = _served(folder), None
    try:
        os.replace(new, version)
        os.symlink(version.name, link)
        os.fsync(parent)  # the version and the link are on disk before the link replaces the index
        if folder.is_dir() and not folder.is_symlink():
            aside = folder.with_name(f".{folder.name}.old-{suffix}")
            os.replace(folder, aside)
        os.replace(link, folder)
    except BaseException as exc:
        if aside is not None:
            os.replace(aside, folder)
        link.unlink(missing_ok=True)
        for path in (new, version):
            shutil.rmtree(path, ignore_errors=True)
        if isinstance(exc, OSError):
            raise IndexNotSaved(_why_not_written(exc)) from exc
        raise
    os.fsync(parent)
    for old in (served, aside):
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _served(folder: Path) -> Path | None:
    """The version an index link names, or None (no link, or one to elsewhere)."""
    if not folder.is_symlink():
        return None
    target = folder.parent / os.readlink(folder)
    match = _LEFT_BY_SAVES.fullmatch(target.name)
    same_parent = target.parent == folder.parent
    return target if same_parent and match and match["name"] == folder.name and match["kind"] == "v" else None


def recover(folder: Path) -> None:
    """Undo what a save cut short left beside an index folder: put back a missing index from a
    whole copy (the newest) and delete temporaries, versions no link names and folders moved
    aside. Nothing is done while another process saves (it is waited for)."""
    folder = Path(folder)
    if not folder.parent.is_dir():
        return
    try:
        with _locked(folder.parent) as parent:
            _tidy(folder, parent)
    except OSError as exc:  # a read-only data folder: serve what is there
        log.warning("could not tidy beside %s: %s", folder, exc)


def _tidy(folder: Path, parent: int) -> None:
    left = [
        p
        for p in folder.parent.iterdir()
        if (m := _LEFT_BY_SAVES.fullmatch(p.name)) and m["name"] == folder.name
    ]
    if not left:
        return
    if not folder.exists():
        _put_back(folder, [p for p in left if not p.name.startswith(f".{folder.name}.link-")])
    keep = _served(folder)
    for path in left:
        if path == keep:
            continue
        log.warning("removing %s, left by a save that did not finish", path.name)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    os.fsync(parent)


def _put_back(folder: Path, copies: list[Path]) -> None:
    """Serve the newest whole copy among ``copies`` as ``folder`` (which is missing)."""
    whole = []
    for copy in copies:
        try:
            whole.append((verify(copy).built_at, copy))
        except IndexUnusable:
            continue
    if not whole:
        return
    _, best = max(whole)
    log.warning("the index was missing: serving %s, the newest whole copy beside it", best.name)
    if folder.is_symlink():
        folder.unlink()  # a link to a version that is gone
    if best.name.startswith(f".{folder.name}.v-"):
        link = best.with_name(f".{folder.name}.link-put-back")
        link.unlink(missing_ok=True)
        os.symlink(best.name, link)
        os.replace(link, folder)
    else:
        os.replace(best, folder)


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


def verify(folder: Path) -> Manifest:
    """The manifest of an index folder whose files all match their checksums; nothing is
    repaired first.

    Raises:
        IndexUnusable: no index there, or a damaged one.
    """
    manifest = read_manifest(folder)
    _check_files(Path(folder), manifest)
    return manifest


def _check_files(folder: Path, manifest: Manifest) -> None:
    present = {str(p.relative_to(folder)) for p in _files(folder)}
    if present != set(manifest.files):
        raise IndexUnusable(f"damaged index in {folder}: files differ from the manifest")
    for name, digest in manifest.files.items():
        if sha256_file(folder / name) != digest:
            raise IndexUnusable(f"damaged index in {folder}: {name} fails its checksum")


def load(folder: Path, expected: dict | None = None) -> PassageIndex:
    """Read an index folder, verifying every file against the manifest's checksums; what an
    interrupted save left beside it is recovered first (``recover``).

    Args:
        folder: the index folder.
        expected: manifest values the index must have (model, chunking, corpus checksum...).

    Raises:
        IndexUnusable: missing, stale, damaged or inconsistent; such an index is never served.
    """
    folder = Path(folder)
    recover(folder)
    if folder.is_symlink():  # one version throughout, should a save replace the link meanwhile
        folder = folder.resolve()
    manifest = read_manifest(folder)
    check_manifest(manifest, expected or {})
    _check_files(folder, manifest)
    try:
        segments = [Segment.load(folder / SEGMENTS / name) for name in manifest.segments]
        deleted = json.loads((folder / DELETED).read_text(encoding="utf-8"))
        if not isinstance(deleted, dict) or set(deleted) - set(manifest.segments):
            raise ValueError("deleted rows of segments the index does not hold")
        rows = {str(name): [int(r) for r in numbers] for name, numbers in deleted.items()}
        index = PassageIndex.of_segments(manifest, segments, rows)
    except Exception as exc:  # any reader failure means the same thing: do not serve it
        raise IndexUnusable(f"unreadable index in {folder}: {exc}") from exc
    if (
        not segments
        or len(index.passages) != manifest.passages
        or len(index.sentence_owner) != manifest.sentences
        or index.passage_vectors.d != manifest.dimension
    ):
        raise IndexUnusable(f"inconsistent index in {folder}: counts differ from the manifest")
    return index


def chunking_json(settings: ChunkSettings) -> dict:
    """Chunking settings as the manifest records them."""
    return asdict(settings)
