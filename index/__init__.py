"""citebot's answer engine: articles -> passages -> vectors + BM25 -> cited answers.

The one door into the engine: every name the edges use is imported from this package, and
each is loaded on first use (PEP 562), so that ``import index`` stays cheap (no numpy, FAISS,
torch or model) and the model and FAISS load only when an index is opened.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.answering.answer import ANSWER_PASSAGES, Answer, Citation, refusal
    from index.answering.engine import MAX_K, Engine
    from index.answering.reader import ReaderError
    from index.config import (
        FETCH_TIMEOUT,
        LEFT_SERVER_DAYS,
        LIBRARY_MEMORY_MB,
        MAX_PAGES,
        ConfigError,
        EngineConfig,
        WebConfig,
        engine_config,
        load_env,
        setup_logging,
        startup_config,
        web_config,
    )
    from index.corpus.articles import (
        ARTICLE_SUFFIXES,
        CONVERTED_SUFFIXES,
        MAX_ARTICLE_BYTES,
        Article,
        CorpusError,
        Refused,
    )
    from index.corpus.intake import (
        MAX_TITLE_CHARS,
        UPLOAD_SUFFIXES,
        Draft,
        IntakeError,
        draft_from_file,
        draft_from_text,
        upload_limit,
    )
    from index.corpus.passages import MAX_PASSAGE_CHARS, Passage
    from index.corpus.removed import REMOVED_FOLDER, RemovedArticle, removal_pin, removed_articles
    from index.errors import CitebotError, without_paths
    from index.libraries import SHARED, Libraries, View
    from index.library import CHANGED_SINCE, Added, Library, LibraryError, Refresh
    from index.store.disk import IndexNotSaved, IndexUnusable, Manifest
    from index.store.encoder import ModelError
    from index.store.private_files import owner_only
    from index.web.addresses import PUBLIC_ONLY, AddressPolicy, parse_allow_private
    from index.web.fetch import Fetched, Fetcher, FetchError
    from index.web.sources import Checked, Page, Taken, check, take
    from index.web.state import STATE_FILE, SourceState, SourceStates
    from index.web.syncing import SyncReport, sync_sources
    from index.words.followup import MAX_HISTORY, Reading, read_with
    from index.words.gaps import QuestionGroup, group_asked
    from index.words.question import QuestionError, clean_question, question_from

# each public name, and the module it is defined in
_HOMES = {
    "index.answering.answer": ("ANSWER_PASSAGES", "Answer", "Citation", "refusal"),
    "index.corpus.articles": (
        "ARTICLE_SUFFIXES",
        "CONVERTED_SUFFIXES",
        "MAX_ARTICLE_BYTES",
        "Article",
        "CorpusError",
        "Refused",
    ),
    "index.config": (
        "FETCH_TIMEOUT",
        "LEFT_SERVER_DAYS",
        "LIBRARY_MEMORY_MB",
        "MAX_PAGES",
        "ConfigError",
        "EngineConfig",
        "WebConfig",
        "engine_config",
        "web_config",
        "load_env",
        "setup_logging",
        "startup_config",
    ),
    "index.store.encoder": ("ModelError",),
    "index.answering.engine": ("MAX_K", "Engine"),
    "index.errors": ("CitebotError", "without_paths"),
    "index.words.followup": ("MAX_HISTORY", "Reading", "read_with"),
    "index.words.gaps": ("QuestionGroup", "group_asked"),
    "index.corpus.intake": (
        "MAX_TITLE_CHARS",
        "UPLOAD_SUFFIXES",
        "Draft",
        "IntakeError",
        "draft_from_file",
        "draft_from_text",
        "upload_limit",
    ),
    "index.library": ("CHANGED_SINCE", "Added", "Library", "LibraryError", "Refresh"),
    "index.libraries": ("SHARED", "Libraries", "View"),
    "index.corpus.passages": ("MAX_PASSAGE_CHARS", "Passage"),
    "index.store.private_files": ("owner_only",),
    "index.words.question": ("QuestionError", "clean_question", "question_from"),
    "index.answering.reader": ("ReaderError",),
    "index.corpus.removed": ("REMOVED_FOLDER", "RemovedArticle", "removal_pin", "removed_articles"),
    "index.store.disk": ("IndexNotSaved", "IndexUnusable", "Manifest"),
    "index.web.addresses": ("PUBLIC_ONLY", "AddressPolicy", "parse_allow_private"),
    "index.web.fetch": ("Fetched", "FetchError", "Fetcher"),
    "index.web.sources": ("Checked", "Page", "Taken", "check", "take"),
    "index.web.state": ("STATE_FILE", "SourceState", "SourceStates"),
    "index.web.syncing": ("SyncReport", "sync_sources"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [  # the same names as _HOMES, written out for type checkers and readers
    "ANSWER_PASSAGES",
    "ARTICLE_SUFFIXES",
    "CONVERTED_SUFFIXES",
    "CHANGED_SINCE",
    "FETCH_TIMEOUT",
    "LEFT_SERVER_DAYS",
    "LIBRARY_MEMORY_MB",
    "MAX_ARTICLE_BYTES",
    "MAX_HISTORY",
    "MAX_K",
    "MAX_PAGES",
    "MAX_PASSAGE_CHARS",
    "MAX_TITLE_CHARS",
    "PUBLIC_ONLY",
    "REMOVED_FOLDER",
    "SHARED",
    "UPLOAD_SUFFIXES",
    "Added",
    "AddressPolicy",
    "Answer",
    "Article",
    "Checked",
    "Citation",
    "CitebotError",
    "ConfigError",
    "CorpusError",
    "Draft",
    "Engine",
    "EngineConfig",
    "FetchError",
    "Fetched",
    "Fetcher",
    "IndexNotSaved",
    "IndexUnusable",
    "IntakeError",
    "Libraries",
    "Library",
    "LibraryError",
    "Manifest",
    "ModelError",
    "Page",
    "Passage",
    "QuestionError",
    "ReaderError",
    "QuestionGroup",
    "Reading",
    "Refresh",
    "Refused",
    "RemovedArticle",
    "STATE_FILE",
    "SourceState",
    "SourceStates",
    "SyncReport",
    "Taken",
    "View",
    "WebConfig",
    "check",
    "clean_question",
    "draft_from_file",
    "draft_from_text",
    "engine_config",
    "group_asked",
    "load_env",
    "owner_only",
    "parse_allow_private",
    "question_from",
    "read_with",
    "refusal",
    "removal_pin",
    "removed_articles",
    "setup_logging",
    "startup_config",
    "sync_sources",
    "take",
    "upload_limit",
    "web_config",
    "without_paths",
]


def __getattr__(name: str) -> object:
    """The public name ``name``, its module imported on first use."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
