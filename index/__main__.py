"""``python -m index build | search | info | add | sync``: the index and its articles from the
command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from index.config import EngineConfig, startup_config
from index.errors import CitebotError
from index.store.disk import IndexUnusable

log = logging.getLogger("citebot.index")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="citebot-index", description="Build, search and describe citebot's index."
    )
    sub = ap.add_subparsers(dest="command", required=True)
    for name, text in (
        ("build", "build the index (always rebuilds)"),
        ("search", "show the passages a question retrieves"),
        ("info", "what is indexed, when, and with what"),
        ("add", "add an article file (.txt .md .html .pdf) or what a URL gives (a page, PDF, sitemap)"),
        ("sync", "check every article added from a URL and bring in those that changed"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--corpus", type=Path, help="an article file or a folder of .txt/.md articles")
        p.add_argument("--index-dir", type=Path, help="the index folder (default: $INDEX_DIR or data/index)")
        if name == "search":
            p.add_argument("query", nargs="+", help="the question")
            p.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
        if name == "add":
            p.add_argument("url", metavar="FILE_OR_URL", help="an article file, or an http or https address")
            p.add_argument("--crawl", action="store_true", help="also the pages it links to on its host")
            p.add_argument("--max-pages", type=int, help="the most pages to add (default: $MAX_PAGES or 200)")
            p.add_argument(
                "--server", type=int, metavar="ID", help="add to this Discord server's own library"
            )
        if name == "sync":
            p.add_argument("id", nargs="?", help="only this article (default: every one with a URL)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = startup_config()
        index_dir = args.index_dir or settings.index_dir
        if args.command == "info":
            return _info(index_dir)
        if args.command == "build":
            return _build(args, settings, index_dir)
        if args.command == "add" and not args.url.lower().startswith(("http://", "https://")):
            from index.corpus.adding import add_file

            return add_file(Path(args.url), settings, _corpus(args, settings), index_dir, args.server)
        if args.command in ("add", "sync"):
            from index.web.command import add, sync

            return (add if args.command == "add" else sync)(
                args, settings, _corpus(args, settings), index_dir
            )
        return _search(args, settings, index_dir)
    except CitebotError as exc:
        return _stop(exc)
    except OSError as exc:  # a folder that cannot be made or read: said as the core's own errors
        return _stop(CitebotError(str(exc)))


def _stop(exc: CitebotError) -> int:
    """The one line the operator is shown, with no path; the whole message is the log's."""
    log.debug("stopped: %s", exc.detail)
    print(f"citebot: {exc.user_message}", file=sys.stderr)
    return 2


def _corpus(args: argparse.Namespace, settings: EngineConfig) -> Path | None:
    # the bot's own articles unless told otherwise: one index for both
    return args.corpus or settings.corpus


def _build(args: argparse.Namespace, settings: EngineConfig, index_dir: Path) -> int:
    from index.build import open_index
    from index.library import corpus_folder

    index, _ = open_index(corpus_folder(_corpus(args, settings), settings.data_dir), index_dir, force=True)
    m = index.manifest
    print(
        f"built {m.passages} passages ({m.sentences} sentences) from {len(m.articles)} article(s) "
        f"in {index_dir}; answer threshold {m.threshold:.3f}"
    )
    return 0


def _search(args: argparse.Namespace, settings: EngineConfig, index_dir: Path) -> int:
    from index.library import Library

    library = Library.open(
        _corpus(args, settings),
        settings.data_dir,
        index_dir,
        settings.threshold,
        max_corpus_bytes=settings.max_corpus_bytes,
    )
    answer = library.engine.answer(" ".join(args.query), k=args.k)
    if answer.error:
        print(answer.error)
        return 1
    for c in answer.citations:
        mark = "*" if c.highlight else " "
        where = f"p. {c.page} ¶{c.paragraph}" if c.page is not None else f"¶{c.paragraph}"
        print(f"{c.rank}.{mark} {c.score:.3f}  {c.id}  [{c.section or '-'} {where}]  {c.text[:150]}")
    verdict = "answered" if answer.answered else (answer.refusal or "not covered")
    print(
        f"{verdict} (confidence {answer.confidence:.3f}, threshold {answer.threshold:.3f}, "
        f"{answer.elapsed_ms:.1f} ms)"
    )
    if answer.span_text:
        print(f"answer span: {answer.span_text}")
    if answer.read_as:
        print(f"read as: {answer.read_as}")
    return 0


def _info(index_dir: Path) -> int:
    from index.store.disk import read_manifest

    try:
        m = read_manifest(index_dir)
    except IndexUnusable as exc:
        log.debug("no index: %s", exc.detail)
        print(f"citebot: {exc.user_message} (run `python -m index build`)", file=sys.stderr)
        return 1
    print(f"index:      {index_dir}")
    print(f"built at:   {m.built_at}")
    print(f"model:      {m.model} ({m.dimension} dimensions)")
    print(f"corpus:     {m.corpus_path} (sha256 {m.corpus_checksum[:12]}…)")
    print(f"chunking:   {json.dumps(m.chunking)}")
    print(f"passages:   {m.passages} ({m.sentences} sentences)")
    print(
        f"threshold:  {m.threshold:.3f} (answer probability; refusal calibration {json.dumps(m.calibration)})"
    )
    for a in m.articles:
        print(f"  {a.slug}: {a.title} · {a.source or 'no source'} · {a.passages} passages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
