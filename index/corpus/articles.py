"""Articles: the texts citebot answers from, read from a file or a folder."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from index.errors import CitebotError
from index.words.question import clean_line

ARTICLE_SUFFIXES = (".txt", ".md")
CONVERTED_SUFFIXES = (".pdf",)  # made into a .md article beside them (index/web/folder.py)
MAX_ARTICLE_BYTES = 5_000_000
# Metadata is a few short lines; these caps hold before YAML sees a byte of it.
MAX_META_CHARS = 16_000  # front matter, or a sidecar file's bytes
MAX_META_VALUE_CHARS = 2_000  # any value read (title, source, url, date, slug)
MAX_META_DEPTH = 20  # lists and mappings within each other
META_KEYS = ("title", "slug", "source", "url", "date")
LINK_REASON = "is a link to a file elsewhere; only files kept in the corpus folder itself are read"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # what Notepad's "Unicode" writes
BUILTIN_CORPUS = Path(__file__).resolve().parents[1] / "data"  # index/data

log = logging.getLogger(__name__)


class CorpusError(CitebotError, ValueError):
    """A corpus path that cannot be read as articles."""


@dataclass(frozen=True)
class Article:
    """One article: its text and where it came from.

    ``body_start`` is where the article text begins in the file (after any front matter), so
    passage offsets can point into the source file itself.
    """

    slug: str
    title: str
    source: str
    url: str
    date: str
    path: str
    raw: str
    body_start: int

    @property
    def body(self) -> str:
        return self.raw[self.body_start :]


def slugify(name: str) -> str:
    """A short lowercase id made of letters, digits and dashes; a name with no Latin letters
    or digits (Korean, Cyrillic...) gets an id made from its digest, the same each time."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    if slug:
        return slug
    if not any(ch.isalnum() for ch in name):
        return "article"
    return "article-" + hashlib.sha256(name.strip().encode("utf-8")).hexdigest()[:8]


class _MetaLoader(yaml.SafeLoader):
    """YAML's safe loader with no aliases (a few hundred bytes of them expand to gigabytes) and
    bounded nesting (its composer recurses once per level)."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise CorpusError("aliases (*name) are not allowed in metadata")
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_META_DEPTH:
                raise CorpusError(f"metadata nested over {MAX_META_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _load_meta(text: str, what: str, unreadable: str) -> dict | None:
    """The metadata in ``text`` (at most MAX_META_CHARS) if it is a mapping, checked: the values
    read are short, and made text.

    Raises:
        CorpusError: saying what is wrong with ``what`` (the front matter, or a sidecar), or
            beginning with ``unreadable`` when it is not YAML.
    """
    if len(text) > MAX_META_CHARS:
        raise CorpusError(f"{what} is {len(text):,} characters; {MAX_META_CHARS:,} at most")
    try:
        meta = yaml.load(text, Loader=_MetaLoader) or {}  # a SafeLoader, with the checks above
    except CorpusError as exc:
        raise CorpusError(f"{what}: {exc}") from exc
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an integer of over 4,300 digits
        raise CorpusError(f"{unreadable}: {exc}") from exc
    if not isinstance(meta, dict):
        return None
    for key in (k for k in META_KEYS if k in meta):
        try:
            value = "" if meta.get(key) is None else str(meta[key])
        except ValueError:  # an integer too long to write out
            value = None
        if value is None or len(value) > MAX_META_VALUE_CHARS:
            raise CorpusError(f"{what}: the {key} is over {MAX_META_VALUE_CHARS:,} characters")
        meta[key] = value
    return meta


def _split_front_matter(raw: str) -> tuple[dict, int]:
    """YAML front matter between two ``---`` lines at the top, and where the body starts."""
    if not raw.startswith("---"):
        return {}, 0
    match = re.match(r"---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|$)", raw, re.S)
    if not match:
        return {}, 0
    meta = _load_meta(match.group(1) or "", "front matter", "bad front matter")
    if meta is None:
        raise CorpusError("front matter must be a mapping of keys to values")
    return meta, match.end()


def _sidecar_meta(path: Path) -> dict:
    """Metadata kept beside a file whose text must stay byte for byte (``name.yaml``)."""
    sidecar = path.with_suffix(".yaml")
    if sidecar.is_symlink():
        raise CorpusError(f"{path.name}: its metadata file {sidecar.name} {LINK_REASON}")
    if not sidecar.is_file():
        return {}
    what = f"its metadata file {sidecar.name}"
    try:
        if sidecar.stat().st_size > MAX_META_CHARS:
            raise CorpusError(f"{what} is over {MAX_META_CHARS:,} bytes")
        return _load_meta(sidecar.read_text(encoding="utf-8"), what, f"{what} cannot be read") or {}
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path.name}: {what} cannot be read: {exc}") from exc
    except CorpusError as exc:
        raise CorpusError(f"{path.name}: {exc}") from exc


def read_article(path: Path) -> Article:
    """Read one ``.txt`` or ``.md`` article, with optional YAML front matter or sidecar.

    Raises:
        CorpusError: the file is too large, not UTF-8, or has unreadable front matter.
    """
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise CorpusError(f"{path.name}: {size:,} bytes is over the {MAX_ARTICLE_BYTES:,} limit")
    data = path.read_bytes()
    if data.startswith(UTF16_BOMS):
        raise CorpusError(f"{path.name}: not UTF-8 text (UTF-16): save it as UTF-8")
    if b"\x00" in data:
        raise CorpusError(f"{path.name}: looks like a binary file, not text")
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    bom = 1 if raw.startswith("\ufeff") else 0  # kept in raw, so offsets match the file
    try:
        meta, body_start = _split_front_matter(raw[bom:])
    except CorpusError as exc:
        raise CorpusError(f"{path.name}: {exc}") from exc
    body_start += bom
    if not raw[body_start:].strip():
        raise CorpusError(f"{path.name}: has no text")
    meta = {**_sidecar_meta(path), **meta}
    # shown in lists, autocomplete and prompts: no bidi overrides or zero-width characters
    slug = slugify(meta.get("slug") or path.stem)
    title = clean_line(meta.get("title", "")) or clean_line(path.stem.replace("_", " ")) or slug
    return Article(
        slug=slug,
        title=title,
        source=clean_line(meta.get("source", "")),
        url=meta.get("url", ""),
        date=meta.get("date", ""),
        path=str(path),
        raw=raw,
        body_start=body_start,
    )


@dataclass(frozen=True)
class Refused:
    """A file in the corpus folder that is not indexed as it stands, and why."""

    name: str
    reason: str
    kept: bool = False  # its last good version is still answered from


@dataclass(frozen=True)
class CorpusRead:
    """A corpus folder as read: the articles to index and the files refused."""

    articles: list[Article]
    refused: list[Refused]


def corpus_files(path: Path) -> list[Path]:
    """The article files a corpus path names: the file itself, or a folder's articles, sorted;
    not hidden files (an editor's draft, a file being written), which the watcher ignores too."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.suffix.lower() in ARTICLE_SUFFIXES
            and not p.name.startswith(".")
            and p.is_file()
            and not p.is_symlink()
        )
    raise CorpusError(f"corpus not found: {path}")


def _unlisted(path: Path) -> list[Refused]:
    """Files in a corpus folder that are not articles and not their metadata, and links to
    articles elsewhere: said, not read."""
    if not path.is_dir():
        return []
    refused = []
    for p in sorted(path.iterdir()):
        suffix = p.suffix.lower()
        if p.name.startswith("."):
            continue
        if p.is_symlink() and suffix in (*ARTICLE_SUFFIXES, *CONVERTED_SUFFIXES):
            refused.append(Refused(p.name, LINK_REASON))
        elif p.is_file() and suffix not in (*ARTICLE_SUFFIXES, *CONVERTED_SUFFIXES, ".yaml", ".yml"):
            refused.append(Refused(p.name, "only .txt, .md and .pdf files are read from the corpus folder"))
    return refused


def read_corpus(path: Path | str | None = None, last_good: dict[str, Article] | None = None) -> CorpusRead:
    """Every article of a corpus path (default: the built-in article), with unique slugs.

    In a folder, a file that cannot be read (not UTF-8, binary, empty, too large) is refused
    with its reason, so one bad file does not take the others down; when ``last_good`` (by
    path) holds an earlier version of it, that version stays in the corpus.

    Raises:
        CorpusError: the path is missing, or a single-file corpus cannot be read.
    """
    root = Path(path) if path else BUILTIN_CORPUS
    last_good = last_good or {}
    articles: list[Article] = []
    refused = _unlisted(root)
    seen: set[str] = set()
    for file in corpus_files(root):
        try:
            article = read_article(file)
        except (CorpusError, OSError) as exc:
            if root.is_file():
                raise CorpusError(str(exc)) from exc
            reason = str(exc).removeprefix(f"{file.name}: ")
            previous = last_good.get(str(file))
            refused.append(Refused(file.name, reason, kept=previous is not None))
            log.warning("not indexing %s: %s", file.name, reason)
            if previous is None:
                continue
            article = previous
        slug, n = article.slug, 2
        while slug in seen:
            slug, n = f"{article.slug}-{n}", n + 1
        seen.add(slug)
        articles.append(article if slug == article.slug else replace(article, slug=slug))
    return CorpusRead(articles, refused)


def load_corpus(path: Path | str | None = None) -> list[Article]:
    """The articles of a corpus path, as ``read_corpus`` reads them.

    Raises:
        CorpusError: the path is missing, a single file cannot be read, or no article is left.
    """
    articles = read_corpus(path).articles
    if not articles:
        raise CorpusError(f"no readable .txt or .md articles in {Path(path) if path else BUILTIN_CORPUS}")
    return articles


def corpus_checksum(articles: list[Article]) -> str:
    """A digest of every article's slug, metadata and text, to tell when an index is stale."""
    digest = hashlib.sha256()
    for a in articles:
        for part in (a.slug, a.title, a.source, a.url, a.date, a.raw):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
    return digest.hexdigest()
