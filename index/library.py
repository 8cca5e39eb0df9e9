"""The corpus folder articles are added to, and the engine kept current with it: a change is
indexed beside the serving engine, which is swapped only once the new index is saved."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from index.answering.engine import Engine, QueryEncoder, query_encoder
from index.build import (
    MERGE_AT,
    build_index,
    calibrated,
    changed_index,
    merge_plan,
    merged_segment,
    open_index,
    recalibrated,
    with_merged,
)
from index.config import MAX_CORPUS_BYTES
from index.corpus.articles import BUILTIN_CORPUS, Article, CorpusError, Refused, corpus_checksum, read_corpus
from index.corpus.intake import Draft, IntakeError, restore_text, rewrite_article, write_article
from index.corpus.passages import DEFAULT_CHUNKING
from index.corpus.pdfs import convert_pdfs
from index.corpus.removed import put_back, removal_pin, set_aside
from index.errors import CitebotError
from index.store import disk as store
from index.store.disk import IndexUnusable, PassageIndex
from index.words.background import background_words

log = logging.getLogger(__name__)

ADDED_FOLDER = "articles"


class LibraryError(CitebotError, ValueError):
    """A change to the articles that cannot be made; the message says why."""


@dataclass(frozen=True)
class Refresh:
    """What one look at the corpus folder did."""

    changed: bool
    added: tuple[str, ...]  # slugs now answered from that were not before
    removed: tuple[str, ...]  # slugs no longer answered from
    updated: tuple[str, ...]  # slugs whose text or metadata changed
    refused: tuple[Refused, ...]
    seconds: float
    error: str | None = None  # the folder could not be indexed: the engine before it serves on


def corpus_folder(corpus: Path | None, data_dir: Path) -> Path:
    """Where the articles are read from: ``corpus`` when given, else the data folder's own
    articles folder, made on first use with a copy of the built-in article."""
    if corpus is not None:
        return corpus
    folder = data_dir / ADDED_FOLDER
    if not folder.exists():
        tmp = data_dir / f".{ADDED_FOLDER}.new"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(BUILTIN_CORPUS, tmp)
        tmp.replace(folder)
        log.info("made %s with the built-in article; articles added from Discord go there", folder)
    return folder


def _remove_unfinished_adds(folder: Path) -> None:
    """Delete the temporary files of adds that a crash cut short (``write_article`` writes an
    article as ``.adding-*.tmp`` before it gives it its name): on start, no add is under way."""
    if not folder.is_dir():
        return
    for path in folder.glob(".adding-*.tmp"):
        log.warning("removing %s, left by an add that did not finish", path.name)
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Added:
    """Articles added together: those answered from now, those refused (a name or URL and
    why), and the one rebuild that indexed them."""

    articles: tuple[Article, ...]
    refused: tuple[tuple[str, str], ...]
    change: Refresh


class Library:
    """The articles of one corpus path and the engine answering from them.

    ``engine`` is always a complete engine: ``refresh`` builds the next index beside it (only
    new texts are embedded), saves it, and only then swaps it in.
    """

    def __init__(
        self,
        engine: Engine,
        folder: Path | None = None,
        index_dir: Path | None = None,
        threshold: float | None = None,
        max_corpus_bytes: int = MAX_CORPUS_BYTES,
        serves: bool = True,
    ) -> None:
        """``serves``: whether its engine answers the surfaces itself (then its catalogue is
        made before it serves); a server's library is answered through a view instead."""
        self.folder = folder
        self.serves = serves
        self.index_dir = index_dir
        self.threshold = threshold
        self.max_corpus_bytes = max_corpus_bytes
        self._lock = threading.Lock()
        self.merge_at = MERGE_AT
        self._upkeep_done = threading.Condition()
        self._upkeep_due = False
        self._upkeep_thread: threading.Thread | None = None
        articles: dict[str, Article] = {}  # by path: the versions now indexed
        self.refused: tuple[Refused, ...] = ()
        if folder is not None:
            pdfs = convert_pdfs(folder)
            read = read_corpus(folder)
            articles = {a.path: a for a in read.articles}
            self.refused = (*read.refused, *pdfs)
        # swapped as one, so that a reader on another thread never sees half of a change
        if serves:
            engine.catalogue  # noqa: B018 - made now, not on the event loop's first /help
        self._current: tuple[Engine, dict[str, Article]] = (engine, articles)
        if folder is not None and index_dir is not None and not calibrated(engine.index):
            self._upkeep()  # a change whose calibration a stop cut short

    @classmethod
    def open(
        cls,
        corpus: Path | str | None,
        data_dir: Path | str,
        index_dir: Path | str,
        threshold: float | None = None,
        rebuild: bool = False,
        encoder: QueryEncoder | None = None,
        max_corpus_bytes: int = MAX_CORPUS_BYTES,
        serves: bool = True,
    ) -> Library:
        """The library of ``corpus`` (default: the data folder's articles), its index opened
        or built: the one way to open an engine (``library.engine`` answers).

        ``encoder`` encodes for both the build (if one is needed) and the questions; by default
        a build uses the packaged model on every core and questions the fastest encoder (the
        ONNX export of the model when it is, or can be, made: a start with a built index then
        imports no torch).

        Raises:
            CitebotError: the corpus cannot be read (``CorpusError``), the model cannot be
                loaded (``ModelError``) or the index cannot be saved (``IndexNotSaved``).
            OSError: the data folder cannot be written.
        """
        index_dir = Path(index_dir)
        folder = corpus_folder(None if corpus is None else Path(corpus), Path(data_dir))
        _remove_unfinished_adds(folder)
        convert_pdfs(folder)
        index, _ = open_index(folder, index_dir, encoder, force=rebuild)
        encoder = encoder or query_encoder(index_dir)
        engine = Engine(index, encoder, threshold, background_words(index.manifest.model, encoder))
        return cls(engine, folder, index_dir, threshold, max_corpus_bytes, serves)

    @property
    def engine(self) -> Engine:
        return self._current[0]

    @property
    def _articles(self) -> dict[str, Article]:
        return self._current[1]

    @property
    def editable(self) -> bool:
        """Whether articles can be added and removed (the corpus is a folder)."""
        return self.folder is not None and self.index_dir is not None and self.folder.is_dir()

    def articles(self) -> list[Article]:
        """The articles answered from, in corpus order."""
        engine, articles = self._current
        by_slug = {a.slug: a for a in articles.values()}
        return [by_slug[a.slug] for a in engine.sources() if a.slug in by_slug]

    def find(self, slug: str) -> Article | None:
        """The indexed article with this slug (its id), or None."""
        slug = slug.strip().lower()
        return next((a for a in self.articles() if a.slug == slug), None)

    def refresh(self) -> Refresh:
        """Index the folder as it now stands, if it changed; the serving engine is replaced
        only by a complete, saved index."""
        started = time.perf_counter()
        with self._lock:
            if self.folder is None or self.index_dir is None:
                return Refresh(False, (), (), (), (), 0.0)  # a fixed engine: nothing to look at
            pdfs = convert_pdfs(self.folder)  # a PDF dropped in: its article written beside it
            try:
                read = read_corpus(self.folder, self._articles)
            except CorpusError as exc:
                return self._failed(str(exc), (), started)
            self.refused = (*read.refused, *pdfs)
            if not read.articles:
                return self._failed("no readable articles are left in the folder", read.refused, started)
            old = self.engine
            if corpus_checksum(read.articles) == old.manifest.corpus_checksum:
                return Refresh(False, (), (), (), self.refused, time.perf_counter() - started)
            before = self._articles
            try:
                index = self._next_index(old.index, before, read.articles)
                store.save(index, self.index_dir)
            except (CorpusError, IndexUnusable, OSError) as exc:
                return self._failed(str(exc), read.refused, started)
            except Exception as exc:  # the engine answering now must survive any failed rebuild
                log.exception("rebuilding the index failed")
                return self._failed(
                    f"the index could not be rebuilt ({type(exc).__name__})", read.refused, started
                )
            self._serve(index, {a.path: a for a in read.articles})
            change = _difference(before, self._articles, time.perf_counter() - started, self.refused)
            log.info(
                "index swapped in %.1f s: %d passages from %d article(s) (added %s, removed %s, updated %s)",
                change.seconds,
                index.manifest.passages,
                len(read.articles),
                list(change.added) or "none",
                list(change.removed) or "none",
                list(change.updated) or "none",
            )
        self._upkeep()
        return change

    def _next_index(
        self, previous: PassageIndex, before: dict[str, Article], articles: list[Article]
    ) -> PassageIndex:
        """The index of ``articles``, changed from ``previous`` (of ``before``) by what changed
        alone: removed and rewritten articles' passages deleted, new texts in a new segment."""
        assert self.folder is not None
        encoder = self.engine.encoder
        if {a.slug for a in before.values()} != {a.slug for a in previous.manifest.articles}:
            return build_index(articles, encoder, DEFAULT_CHUNKING, str(self.folder), previous=previous)
        now = {a.path: a for a in articles}
        changed = [a for a in articles if a.path not in before or _text_of(before[a.path]) != _text_of(a)]
        removed = {
            a.slug for path, a in before.items() if path not in now or _text_of(a) != _text_of(now[path])
        }
        return changed_index(
            previous, articles, removed, changed, encoder, DEFAULT_CHUNKING, str(self.folder)
        )

    def _serve(self, index: PassageIndex, articles: dict[str, Article] | None = None) -> None:
        """Answer from ``index`` from now on (``articles``: the versions it holds, if new)."""
        old = self.engine
        engine = Engine(index, old.encoder, self.threshold, old.background)
        if self.serves:
            engine.catalogue  # noqa: B018 - made before it serves
        self._current = (engine, self._articles if articles is None else articles)

    # Upkeep: what a change leaves to do, done on a thread of its own once the change is
    # answered from: the refusal calibration of the new articles, and merging small segments.

    def _upkeep(self) -> None:
        """Start the upkeep thread, or tell the running one that there is more to do."""
        with self._upkeep_done:
            self._upkeep_due = True
            if self._upkeep_thread is None:
                self._upkeep_thread = threading.Thread(
                    target=self._upkeep_loop, name="library-upkeep", daemon=True
                )
                self._upkeep_thread.start()

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until the upkeep a change started is done (the calibration made, the merges
        due made); False if ``timeout`` passed first."""
        with self._upkeep_done:
            return self._upkeep_done.wait_for(lambda: self._upkeep_thread is None, timeout)

    def _upkeep_loop(self) -> None:
        while True:
            with self._upkeep_done:
                if not self._upkeep_due:
                    self._upkeep_thread = None
                    self._upkeep_done.notify_all()
                    return
                self._upkeep_due = False
            try:
                while self._upkeep_step():
                    pass
            except Exception:  # the index served is whole whatever failed here
                log.exception("the library's upkeep failed; the index serves as it is")

    def _upkeep_step(self) -> bool:
        """One piece of upkeep, if any is due: True when one was done (or tried too late)."""
        base = self.engine.index
        if self.index_dir is None:
            return False
        plan = merge_plan(base, self.merge_at)
        if plan:  # first: a merge made meanwhile still applies, where a calibration would not
            merge = merged_segment(base, plan)
            return self._commit(base, lambda current: with_merged(current, base, merge))
        if not calibrated(base):
            manifest = recalibrated(base, self.engine.encoder)
            return self._commit(
                base, lambda current: replace(current, manifest=manifest) if current is base else None
            )
        return False

    def _commit(self, base: PassageIndex, change: Callable[[PassageIndex], PassageIndex | None]) -> bool:
        """Save and serve ``change(current)`` (the index now served), unless it is None."""
        with self._lock:
            index = change(self.engine.index)
            if index is None:
                return self.engine.index is not base  # the index changed meanwhile: look again
            assert self.index_dir is not None
            store.save(index, self.index_dir)
            self._serve(index)
            log.info("upkeep: %d segment(s), calibration %s", len(index.segments), index.manifest.calibration)
            return True

    def _failed(self, reason: str, refused: Sequence[Refused], started: float) -> Refresh:
        log.error("the corpus folder could not be indexed (%s); the current index serves on", reason)
        return Refresh(False, (), (), (), tuple(refused), time.perf_counter() - started, reason)

    def corpus_bytes(self) -> int:
        """The bytes of the files in the corpus folder (0 for a fixed engine)."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        return sum(_file_bytes(path) for path in self.folder.iterdir())

    def _full(self) -> str:
        return f"the articles would pass their cap of {self.max_corpus_bytes:,} bytes (MAX_CORPUS_BYTES)"

    def _check_room(self, drafts: Sequence[Draft], freed: int = 0) -> None:
        """Raises LibraryError when ``drafts`` would take the corpus past ``max_corpus_bytes``."""
        needed = sum(_draft_bytes(d) for d in drafts) - freed
        if self.corpus_bytes() + needed > self.max_corpus_bytes:
            raise LibraryError(self._full())

    def add(self, draft: Draft, added_by: str = "") -> tuple[Article, Refresh]:
        """Write ``draft`` into the folder and index it; the article as answered from.

        Raises:
            LibraryError: articles cannot be added here, the corpus would pass its cap
                (``MAX_CORPUS_BYTES``), or the new index could not be made (the file is taken out
                again, so the folder stays as it was).
        """
        if not self.editable:
            raise LibraryError(_NOT_EDITABLE)
        assert self.folder is not None
        self._check_room([draft])
        try:
            written = write_article(self.folder, draft, added_by)
        except IntakeError as exc:
            raise LibraryError(str(exc)) from exc
        result = self.refresh()
        article = next((a for a in self._articles.values() if a.path == written.path), None)
        indexed = article is not None and any(
            a.slug == article.slug and a.passages for a in self.engine.manifest.articles
        )
        if result.error or article is None or not indexed:
            Path(written.path).unlink(missing_ok=True)
            if article is not None:
                self.refresh()  # out of the index again
            reason = result.error or "it has no paragraphs of text to answer from"
            raise LibraryError(f"the article could not be indexed: {reason}")
        return article, result

    def add_many(self, drafts: Sequence[Draft], added_by: str = "") -> Added:
        """Write every draft into the folder and index them once (a whole site: one rebuild,
        not one per page); the drafts that cannot be written or have nothing to answer from are
        taken out again and said, each with its reason.

        Raises:
            LibraryError: articles cannot be added here, or the new index could not be made
                (every file written is taken out again).
        """
        if not self.editable:
            raise LibraryError(_NOT_EDITABLE)
        assert self.folder is not None
        written: list[tuple[Draft, Article]] = []
        refused: list[tuple[str, str]] = []
        room = self.max_corpus_bytes - self.corpus_bytes()
        for draft in drafts:
            room -= _draft_bytes(draft)
            if room < 0:
                refused.append((draft.url or draft.title, self._full()))
                continue
            try:
                written.append((draft, write_article(self.folder, draft, added_by)))
            except IntakeError as exc:
                refused.append((draft.url or draft.title, exc.user_message))
        if not written:
            return Added((), tuple(refused), Refresh(False, (), (), (), self.refused, 0.0))
        result = self.refresh()
        if result.error:
            for _, article in written:
                Path(article.path).unlink(missing_ok=True)
            self.refresh()
            raise LibraryError(f"the articles could not be indexed: {result.error}")
        added, empty = self.sort_out(written, refused)
        if empty:
            result = self.refresh()
        return Added(tuple(added), tuple(refused), result)

    def sort_out(
        self, written: Sequence[tuple[Draft, Article]], refused: list[tuple[str, str]]
    ) -> tuple[list[Article], list[Article]]:
        """After the articles ``written`` were indexed: those answered from (as indexed), and
        those with nothing to answer from, whose files are taken out again (the caller indexes
        the folder without them) and said in ``refused``."""
        indexed = {a.slug for a in self.engine.manifest.articles if a.passages}
        added, empty = [], []
        for draft, article in written:
            now = next((a for a in self._articles.values() if a.path == article.path), None)
            if now is not None and now.slug in indexed:
                added.append(now)
            else:
                empty.append(article)
                Path(article.path).unlink(missing_ok=True)
                refused.append((draft.url or draft.title, "it has no paragraphs of text to answer from"))
        return added, empty

    def update(self, slug: str, draft: Draft) -> tuple[Article, Refresh]:
        """Put ``draft`` in place of an article's text (its page changed upstream), keeping its
        id, and index it; only its new texts are embedded.

        Raises:
            LibraryError: no article has this id, or the new text could not be indexed (then the
                old text is put back).
        """
        if not self.editable:
            raise LibraryError(_NOT_EDITABLE)
        article = self.find(slug)
        if article is None:
            raise LibraryError(f"no article has the id “{slug.strip()[:80]}”")
        self._check_room([draft], freed=_file_bytes(Path(article.path)))
        try:
            rewrite_article(article, draft)
        except IntakeError as exc:
            raise LibraryError(exc.user_message) from exc
        result = self.refresh()
        now = self.find(article.slug)
        answered = any(a.slug == article.slug and a.passages for a in self.engine.manifest.articles)
        if result.error or now is None or not answered:
            restore_text(article)
            self.refresh()
            raise LibraryError(f"the new text could not be indexed: {result.error or 'it has no text'}")
        return now, result

    def remove(self, slug: str, pin: str | None = None) -> tuple[Article, Refresh]:
        """Move an article's file (and its metadata file) into the removed folder, where an
        operator can restore it from, and index the folder without it.

        ``pin``: the ``removal_pin`` of the version the remover confirmed; another file or text
        under this id now is not removed.

        Raises:
            LibraryError: no article has this id, it changed since ``pin``, it is the last one,
                or it cannot be removed (then its files are where they were).
        """
        if not self.editable:
            raise LibraryError(_NOT_EDITABLE)
        assert self.folder is not None
        article = self.find(slug)
        if article is None:
            raise LibraryError(f"no article has the id “{slug.strip()[:80]}”; /article list shows them")
        if pin is not None and removal_pin(article) != pin:
            raise LibraryError(CHANGED_SINCE)
        if len(self.articles()) == 1:
            raise LibraryError("that is the only article; add another before removing it")
        name = Path(article.path).name
        try:
            entry = set_aside(self.folder, article)
        except OSError as exc:
            raise LibraryError(f"could not move {name} aside: {exc.strerror or 'an error'}") from exc
        result = self.refresh()
        if result.error:
            try:
                put_back(self.folder, entry)
                self.refresh()  # the folder is as the serving index has it again
            except OSError:
                log.exception("could not put %s back from %s", name, entry)
            raise LibraryError(f"not removed: the index could not be rebuilt without it ({result.error})")
        log.info("%s set aside in %s", name, entry)
        return article, result


CHANGED_SINCE = "that article changed since the removal was asked for: its id now names another file or text"
_NOT_EDITABLE = (
    "articles cannot be added or removed here: CORPUS_PATH names a single file; point it at a folder"
)


def _difference(
    before: dict[str, Article], after: dict[str, Article], seconds: float, refused: tuple[Refused, ...]
) -> Refresh:
    old = {a.slug: a for a in before.values()}
    new = {a.slug: a for a in after.values()}
    updated = tuple(s for s in new if s in old and (old[s].raw, old[s].title) != (new[s].raw, new[s].title))
    return Refresh(
        True,
        tuple(s for s in new if s not in old),
        tuple(s for s in old if s not in new),
        updated,
        refused,
        seconds,
    )


def _text_of(article: Article) -> tuple[str, ...]:
    """What an article's passages and manifest entry are made of."""
    return (article.slug, article.title, article.source, article.url, article.date, article.raw)


def _draft_bytes(draft: Draft) -> int:
    """About the bytes a draft takes once written (its text and its front matter's fields)."""
    fields = (draft.title, draft.source, draft.url, draft.date, draft.author)
    return len(draft.text.encode("utf-8")) + sum(len(f.encode("utf-8")) for f in fields) + 200


def _file_bytes(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except OSError:
        return 0
