"""``python -m index build | search | info``: the index from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from index.articles import CorpusError
from index.encoder import ModelError
from index.settings import SettingsError, startup_settings
from index.store import IndexUnusable


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="citebot-index", description="Build, search and describe citebot's index."
    )
    sub = ap.add_subparsers(dest="command", required=True)
    for name, text in (
        ("build", "build the index (always rebuilds)"),
        ("search", "show the passages a question retrieves"),
        ("info", "what is indexed, when, and with what"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--corpus", type=Path, help="an article file or a folder of .txt/.md articles")
        p.add_argument("--index-dir", type=Path, help="the index folder (default: $INDEX_DIR or data/index)")
        if name == "search":
            p.add_argument("query", nargs="+", help="the question")
            p.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = startup_settings()
    except SettingsError as exc:
        print(f"citebot: {exc}", file=sys.stderr)
        return 2
    index_dir = args.index_dir or settings.index_dir
    try:
        if args.command == "info":
            return _info(index_dir)
        from index.engine import Engine, open_index
        from index.library import corpus_folder

        # the bot's own articles unless told otherwise: one index for both
        corpus = args.corpus or corpus_folder(settings.corpus, settings.data_dir)

        if args.command == "build":
            index, _ = open_index(corpus, index_dir, force=True)
            m = index.manifest
            print(
                f"built {m.passages} passages ({m.sentences} sentences) from {len(m.articles)} article(s) "
                f"in {index_dir}; answer threshold {m.threshold:.3f}"
            )
            return 0
        engine = Engine.open(corpus, index_dir, threshold=settings.threshold)
        answer = engine.answer(" ".join(args.query), k=args.k)
        if answer.error:
            print(answer.error)
            return 1
        for c in answer.citations:
            mark = "*" if c.highlight else " "
            print(
                f"{c.rank}.{mark} {c.score:.3f}  {c.id}  [{c.section or '-'} ¶{c.paragraph}]  {c.text[:150]}"
            )
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
    except (CorpusError, ModelError, IndexUnusable, OSError) as exc:
        print(f"citebot: {exc}", file=sys.stderr)
        return 2


def _info(index_dir: Path) -> int:
    from index.store import read_manifest

    try:
        m = read_manifest(index_dir)
    except IndexUnusable as exc:
        print(f"citebot: {exc} (run `python -m index build`)", file=sys.stderr)
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
