"""The operator's shared library and one library per Discord server (issue 23, section 1).

A server's library is a folder of its own under ``DATA_DIR/servers/<id>`` (articles, index),
made by its first add. A question in a server is answered from a view of both libraries' segments,
ranked together (BM25's statistics and the vocabulary over both); a server may leave the
shared library out. An idle server's library is not kept in memory: it is opened on its first
question and dropped, least recently used, past a memory budget."""

from __future__ import annotations

import ctypes
import functools
import gc
import json
import logging
import shutil
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from index.answering.answer import Answer
from index.answering.engine import Engine
from index.config import LIBRARY_MEMORY_MB
from index.corpus.articles import Article
from index.corpus.intake import Draft, IntakeError, write_article
from index.corpus.removed import removal_pin, set_aside
from index.errors import CitebotError
from index.library import CHANGED_SINCE, Added, Library, LibraryError, Refresh
from index.store.disk import PassageIndex

log = logging.getLogger(__name__)

SHARED = "shared"  # the shared library's name in answers and on the JSON protocol
SERVERS_FOLDER = "servers"
ARTICLES, INDEX = "articles", "index"
LEFT_FILE = "left.json"  # in a server's folder: when citebot was removed from the server


def server_folder(data_dir: Path, server: int) -> Path:
    """Where a server's library lives: one folder to back up, move or delete."""
    return Path(data_dir) / SERVERS_FOLDER / str(int(server))


@dataclass(frozen=True)
class View:
    """The engine one place answers from, and which library each of its articles is from."""

    engine: Engine
    server: int | None  # None: the shared library alone (a DM, or a server with no library)
    own: frozenset[str]  # the slugs of the server's own articles

    def library_of(self, slug: str) -> str:
        """``"shared"`` or the server's id, for an article of this view."""
        return str(self.server) if slug in self.own else SHARED

    def label(self, answer: Answer) -> Answer:
        """``answer`` with each citation naming its library."""
        citations = tuple(replace(c, library=self.library_of(c.article)) for c in answer.citations)
        return replace(answer, citations=citations)


class Libraries:
    """The shared library and the servers' libraries, opened on first use."""

    def __init__(
        self,
        shared: Library,
        data_dir: Path,
        memory_mb: int = LIBRARY_MEMORY_MB,
        max_corpus_bytes: int | None = None,
    ) -> None:
        self.shared = shared
        self.data_dir = Path(data_dir)
        self.memory_bytes = memory_mb * 1_000_000
        self.max_corpus_bytes = shared.max_corpus_bytes if max_corpus_bytes is None else max_corpus_bytes
        self._open: OrderedDict[int, Library] = OrderedDict()  # least recently used first
        self._views: dict[tuple[int, bool], tuple[tuple[int, int], View]] = {}
        self._lock = threading.RLock()
        self._changing: dict[int, threading.Lock] = {}
        self._sizes: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()

    # ---- which library ------------------------------------------------------------------------

    def server(self, server: int) -> Library | None:
        """The server's own library (opened from disk if need be), or None: it has none."""
        with self._lock:
            library = self._open.get(server)
            if library is not None:
                self._open.move_to_end(server)
                self._evict()
                return library
        folder = server_folder(self.data_dir, server)
        if not (folder / INDEX).exists() or not any((folder / ARTICLES).glob("*.*")):
            return None
        library = self._opened(server)
        with self._lock:
            library = self._open.setdefault(server, library)
            self._open.move_to_end(server)
            self._evict()
        return library

    def _opened(self, server: int) -> Library:
        folder = server_folder(self.data_dir, server)
        return Library.open(
            folder / ARTICLES,
            folder,
            folder / INDEX,
            self.shared.threshold,
            encoder=self.shared.engine.encoder,
            max_corpus_bytes=self.max_corpus_bytes,
            serves=False,  # answered through its view
        )

    def loaded(self) -> list[int]:
        """The servers whose libraries are in memory, least recently used first."""
        with self._lock:
            return list(self._open)

    def view(self, server: int | None, use_shared: bool = True) -> View:
        """What a question asked in ``server`` (None: a DM) is answered from: the server's own
        articles and (unless ``use_shared`` is off) the shared ones, ranked together."""
        own = None if server is None else self.server(server)
        if own is None:
            return View(self.shared.engine, None, frozenset())
        assert server is not None
        slugs = frozenset(a.slug for a in own.engine.manifest.articles)
        if not use_shared:
            own.engine.catalogue  # noqa: B018 - made here, off the event loop
            return View(own.engine, server, slugs)
        versions = (id(self.shared.engine), id(own.engine))
        with self._lock:
            cached = self._views.get((server, use_shared))
            if cached is not None and cached[0] == versions:
                return cached[1]
        engine = Engine(
            joined(self.shared.engine.index, own.engine.index),
            own.engine.encoder,
            own.threshold,
            own.engine.background,
        )
        engine.catalogue  # noqa: B018 - made before it serves
        view = View(engine, server, slugs)
        with self._lock:
            self._views[(server, use_shared)] = (versions, view)
            self._evict()
        return view

    # ---- changes --------------------------------------------------------------------------------

    def library(self, server: int | None) -> Library | None:
        """The library changes in ``server`` go to (None: the shared one)."""
        return self.shared if server is None else self.server(server)

    def add(self, server: int | None, draft: Draft, added_by: str = "") -> tuple[Article, Refresh]:
        """Add ``draft`` to the server's library (made by its first article), or to the shared
        one (``server`` None).

        Raises:
            LibraryError: it cannot be added or indexed (nothing is left behind).
        """
        if server is None:
            return self.shared.add(draft, added_by)
        with self._changing_lock(server):
            library = self.server(server)
            if library is not None:
                return library.add(draft, added_by)
            added = self._first_many(server, [draft], added_by)
            if not added.articles:
                reason = (
                    added.refused[0][1] if added.refused else "it has no paragraphs of text to answer from"
                )
                raise LibraryError(f"the article could not be indexed: {reason}")
            return added.articles[0], added.change

    def add_many(self, server: int | None, drafts: list[Draft], added_by: str = "") -> Added:
        """``Library.add_many`` on the server's library (made by its first articles, in one
        build) or the shared one.

        Raises:
            LibraryError: they cannot be indexed (nothing is left behind).
        """
        if server is None:
            return self.shared.add_many(drafts, added_by)
        with self._changing_lock(server):
            library = self.server(server)
            if library is not None:
                return library.add_many(drafts, added_by)
            return self._first_many(server, drafts, added_by)

    def _first_many(self, server: int, drafts: list[Draft], added_by: str) -> Added:
        """A server's first articles written, and its library made from them in one build."""
        started = time.perf_counter()
        folder = server_folder(self.data_dir, server)
        (folder / ARTICLES).mkdir(parents=True, exist_ok=True)
        (folder / LEFT_FILE).unlink(missing_ok=True)
        written: list[tuple[Draft, Article]] = []
        refused: list[tuple[str, str]] = []
        room = self.max_corpus_bytes
        for draft in drafts:
            room -= _draft_size(draft)
            if room < 0:
                refused.append(
                    (draft.url or draft.title, "the articles would pass their cap (MAX_CORPUS_BYTES)")
                )
                continue
            try:
                written.append((draft, write_article(folder / ARTICLES, draft, added_by)))
            except IntakeError as exc:
                refused.append((draft.url or draft.title, exc.user_message))
        if not written:
            return Added((), tuple(refused), Refresh(False, (), (), (), (), 0.0))
        try:
            library = self._opened(server)
        except CitebotError as exc:
            for _, article in written:
                Path(article.path).unlink(missing_ok=True)
            shutil.rmtree(folder / INDEX, ignore_errors=True)
            raise LibraryError(f"the article could not be indexed: {exc.user_message}") from exc
        with self._lock:
            self._open[server] = library
            self._evict()
        added, empty = library.sort_out(written, refused)
        if empty and added:
            library.refresh()
        change = Refresh(True, tuple(a.slug for a in added), (), (), (), time.perf_counter() - started)
        return Added(tuple(added), tuple(refused), change)

    def folder(self, server: int | None) -> Path:
        """The folder a library keeps its own files in (its sync state): the data folder for
        the shared library."""
        return self.data_dir if server is None else server_folder(self.data_dir, server)

    def articles_folder(self, server: int | None) -> Path | None:
        """The folder a library's articles (and those removed from it) are kept in; None for
        a server that never had one, or a shared library that is not a folder."""
        if server is None:
            return self.shared.folder if self.shared.editable else None
        folder = server_folder(self.data_dir, server) / ARTICLES
        return folder if folder.is_dir() else None

    def remove(self, server: int | None, slug: str, pin: str | None = None) -> tuple[Article, Refresh]:
        """Remove an article from the server's library (or the shared one); a server's last
        article takes its index with it (the file is kept in its removed folder).

        Raises:
            LibraryError: no such article there, or it cannot be removed.
        """
        if server is None:
            return self.shared.remove(slug, pin)
        with self._changing_lock(server):
            library = self.server(server)
            if library is None or library.find(slug) is None:
                raise LibraryError(f"no article has the id “{slug.strip()[:80]}”; /article list shows them")
            if len(library.articles()) > 1:
                return library.remove(slug, pin)
            article = library.find(slug)
            assert article is not None and library.folder is not None
            if pin is not None and removal_pin(article) != pin:
                raise LibraryError(CHANGED_SINCE)
            started = time.perf_counter()
            library.settle()
            try:
                set_aside(library.folder, article)
            except OSError as exc:
                raise LibraryError(f"could not move it aside: {exc.strerror or 'an error'}") from exc
            self._drop(server)
            shutil.rmtree(server_folder(self.data_dir, server) / INDEX, ignore_errors=True)
            return article, Refresh(True, (), (article.slug,), (), (), time.perf_counter() - started)

    def _changing_lock(self, server: int) -> threading.Lock:
        with self._lock:
            return self._changing.setdefault(server, threading.Lock())

    def with_sources(self) -> list[int]:
        """The servers whose libraries hold articles fetched from the web (a sync state file)."""
        from index.web.state import STATE_FILE

        root = self.data_dir / SERVERS_FOLDER
        found = root.glob(f"*/{STATE_FILE}") if root.is_dir() else ()
        return sorted(
            int(p.parent.name) for p in found if p.parent.name.isdigit() and (p.parent / INDEX).exists()
        )

    # ---- memory -----------------------------------------------------------------------------------

    def resident_bytes(self) -> int:
        """About the memory the servers' libraries and views hold (vectors, graphs, words)."""
        with self._lock:
            return sum(self._bytes(lib.engine) for lib in self._open.values()) + sum(
                self._bytes(v.engine, view=True) for _, v in self._views.values()
            )

    def _bytes(self, engine: Engine, view: bool = False) -> int:
        """``_index_bytes`` (or ``_view_bytes``) of an engine's index, counted once per engine."""
        size = self._sizes.get(engine)
        if size is None:
            size = self._sizes[engine] = _view_bytes(engine.index) if view else _index_bytes(engine.index)
        return size

    def _evict(self) -> None:
        """Drop the least recently used libraries until the rest fit the memory budget (a
        library whose upkeep is under way waits for the next time), and give the memory they
        held back to the system."""
        dropped = 0
        while len(self._open) > 1 and self.resident_bytes() > self.memory_bytes:
            victim = next((s for s, lib in self._open.items() if lib.settle(0)), None)
            if victim is None or victim == next(reversed(self._open)):
                break
            self._drop(victim)
            dropped += 1
        if dropped:
            _give_back()

    def _drop(self, server: int) -> None:
        with self._lock:
            self._open.pop(server, None)
            for key in [k for k in self._views if k[0] == server]:
                del self._views[key]

    # ---- servers that removed citebot ------------------------------------------------------------

    def left(self, server: int, when: float | None = None) -> None:
        """Note that citebot was removed from ``server``: its library is kept, then purged."""
        folder = server_folder(self.data_dir, server)
        if folder.is_dir():
            (folder / LEFT_FILE).write_text(json.dumps({"left": when or time.time()}), encoding="utf-8")
        self._drop(server)

    def returned(self, server: int) -> None:
        """citebot is back in ``server``: its library, if still kept, is its own again."""
        (server_folder(self.data_dir, server) / LEFT_FILE).unlink(missing_ok=True)

    def purge(self, days: int, now: float | None = None) -> list[int]:
        """Delete the libraries of servers citebot left more than ``days`` ago; their ids."""
        now = time.time() if now is None else now
        gone = []
        root = self.data_dir / SERVERS_FOLDER
        for folder in sorted(root.iterdir()) if root.is_dir() else ():
            marker = folder / LEFT_FILE
            if not folder.name.isdigit() or not marker.is_file():
                continue
            try:
                left = float(json.loads(marker.read_text(encoding="utf-8"))["left"])
            except (OSError, ValueError, KeyError, TypeError):
                left = marker.stat().st_mtime
            if now - left >= days * 86_400:
                self._drop(int(folder.name))
                shutil.rmtree(folder, ignore_errors=True)
                gone.append(int(folder.name))
                log.info(
                    "deleted the library of server %s, which citebot left %d days ago", folder.name, days
                )
        return gone


def joined(shared: PassageIndex, own: PassageIndex) -> PassageIndex:
    """One index over the shared library's segments and a server's own, searched as one; a
    shared article the server holds an article of the same id of is left out of it."""
    mine = {a.slug for a in own.manifest.articles}
    deleted = {name: set(rows) for name, rows in shared.deleted.items()}
    for segment in shared.segments:
        shadowed = [row for row, p in enumerate(segment.passages) if p.article in mine]
        if shadowed:
            deleted.setdefault(segment.name, set()).update(shadowed)
    deleted.update({name: set(rows) for name, rows in own.deleted.items()})
    articles = (*(a for a in shared.manifest.articles if a.slug not in mine), *own.manifest.articles)
    manifest = replace(own.manifest, articles=articles)
    index = PassageIndex.of_segments(manifest, [*shared.segments, *own.segments], deleted)
    index.manifest = replace(
        index.manifest, passages=len(index.passages), sentences=len(index.sentence_owner)
    )
    return index


# Measured with python -m bench --servers (200 libraries opened with no budget: 13.2 MB each
# of resident memory): what a library holds beyond its arrays, per passage (its Passage and
# sentence objects, texts, catalogue and BM25 rows, in the library's engine and its view) and
# per word (the dictionaries of the vocabulary, BM25 and speller).
PASSAGE_BYTES = 21_000
WORD_BYTES = 1_000


def _index_bytes(index: PassageIndex) -> int:
    """About the memory a library's engine holds: its segments' vectors (and graphs), words and
    texts, and what its engine makes of them."""
    total = 0
    for segment in index.segments:
        rows = segment.passage_vectors.ntotal + segment.sentence_vectors.ntotal
        total += rows * (index.passage_vectors.d * 4 + 300) + int(segment.words.vectors.nbytes)
        total += len(segment.words.counts) * WORD_BYTES
    return total + _view_bytes(index)


def _view_bytes(index: PassageIndex) -> int:
    """What an engine adds to the segments it searches: its vocabulary (a copy of the words'
    vectors), BM25's statistics, the passages' lists and catalogue."""
    words = len(index.vocabulary.words)
    return int(index.vocabulary.vectors.nbytes) + WORD_BYTES * words + PASSAGE_BYTES * len(index.passages)


def _give_back() -> None:
    """Return freed memory to the system (glibc keeps what Python and FAISS freed in its heap:
    2.6 GB of 200 dropped libraries stayed resident until trimmed, 0.18 GB after)."""
    trim = _malloc_trim()
    if trim is not None:
        gc.collect()
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


def _draft_size(draft: Draft) -> int:
    return len(draft.text.encode("utf-8")) + 1_000
