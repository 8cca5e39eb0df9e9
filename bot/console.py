"""The console harness: ask citebot questions in a terminal, offline, as Discord would answer."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.feedback import FeedbackStore
from bot.render import render_card, render_json, render_passages, render_sources, render_text
from bot.render_reports import render_gaps, render_usage
from index.answer import refusal
from index.articles import CorpusError
from index.encoder import ModelError
from index.engine import MAX_K, Engine
from index.gaps import group_asked
from index.library import Library
from index.settings import EngineSettings, SettingsError, startup_settings
from index.store import IndexUnusable

log = logging.getLogger("citebot.console")
DAY = 86_400.0

HELP = """Type a question about the article and press Enter. Commands:
  :k N          show N passages per answer (1-10)
  :passage ID   show one passage, e.g. :passage nk-troops#p3
  :sources      the indexed articles
  :gaps [DAYS]  questions not answered well in Discord, grouped (default: 7 days)
  :stats [DAYS] questions per day, share answered, feedback (default: 14 days)
  :json         switch JSON output on or off
  :help         this text
  :quit         leave (Ctrl-D works too)"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="citebot-console", description="Ask the article questions offline.")
    ap.add_argument("question", nargs="*", help="one question to answer, then exit")
    ap.add_argument("--json", action="store_true", help="batch protocol: one JSON line per stdin line")
    ap.add_argument("--corpus", type=Path, help="an article file or a folder of .txt/.md articles")
    ap.add_argument(
        "--index-dir", type=Path, help="where the index is kept (default: $INDEX_DIR or data/index)"
    )
    ap.add_argument("-k", "--results", type=int, help=f"passages per answer (1-{MAX_K})")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the index first")
    return ap.parse_args(argv)


class Console:
    """The REPL's state: the engine, how many passages to show, and the output format."""

    def __init__(
        self,
        engine: Engine,
        k: int,
        as_json: bool,
        out: TextIO | None = None,
        batch: bool = False,
        store_path: Path | None = None,
    ) -> None:
        self.engine, self.k, self.as_json = engine, k, as_json
        self.out = out or sys.stdout
        self.batch = batch  # the scorers' protocol: every line is a question, commands included
        self.store_path = store_path  # what the bot keeps of the questions asked in Discord

    def ask(self, question: str) -> None:
        try:
            answer = self.engine.answer(question, self.k)
        except Exception:  # one bad question must not end a batch: it gets its own error line
            log.exception("could not answer %r", question[:100])
            answer = refusal(question, "Sorry, something went wrong while answering that question.")
        if self.as_json:
            self.out.write(json.dumps(render_json(answer), ensure_ascii=False) + "\n")
        else:
            self.out.write(render_text(render_card(answer)) + "\n\n")
        self.out.flush()

    def command(self, line: str) -> bool:
        """Run a ``:command``; False when it asks to quit."""
        name, _, arg = line[1:].strip().partition(" ")
        arg = arg.strip()
        if name in ("quit", "q", "exit"):
            return False
        if name == "help":
            self.say(HELP)
        elif name == "k":
            if arg.isdigit() and 1 <= int(arg) <= MAX_K:
                self.k = int(arg)
                self.say(f"Showing {self.k} passage(s) per answer.")
            else:
                self.say(f"Usage: :k N, with N from 1 to {MAX_K}.")
        elif name == "passage":
            passages = self.engine.neighbours(arg)
            if not passages:
                self.say(f"No passage has the id {arg!r}. Ids look like {self.engine.catalogue.first_id}.")
            else:
                self.say(render_text(render_passages(passages, arg)))
        elif name == "sources":
            self.say(render_text(render_sources(self.engine.manifest)))
            self.say(f"Model {self.engine.manifest.model}; answer threshold {self.engine.threshold:.3f}.")
        elif name in ("gaps", "stats"):
            self.report(name, arg)
        elif name == "json":
            self.as_json = not self.as_json
            self.say(f"JSON output {'on' if self.as_json else 'off'}.")
        else:
            self.say(f"Unknown command :{name}. Type :help for the list.")
        return True

    def report(self, name: str, arg: str) -> None:
        """``:gaps`` or ``:stats`` over every server, from the bot's database."""
        days = int(arg) if arg.isdigit() else (7 if name == "gaps" else 14)
        if not 1 <= days <= 90 or (arg and not arg.isdigit()):
            self.say(f"Usage: :{name} [DAYS], with DAYS from 1 to 90.")
            return
        if self.store_path is None or not self.store_path.is_file():
            self.say(f"No questions recorded yet: the bot keeps what it is asked in {self.store_path}.")
            return
        try:
            store = FeedbackStore(self.store_path)
        except (OSError, sqlite3.Error) as exc:  # damaged, not a database, or its key is
            log.warning("could not open %s: %s", self.store_path, exc)
            self.say(f"The bot's database cannot be read ({type(exc).__name__}); see the log.")
            return
        try:
            since = time.time() - days * DAY
            if name == "stats":
                self.say(render_text(render_usage(store.usage(since), days)))
                return
            gaps = store.gaps(since)
            groups = group_asked(
                [g.question for g in gaps],
                [g.created for g in gaps],
                [g.reason for g in gaps],
                self.engine.encoder,
            )
            self.say(render_text(render_gaps(groups, days)))
        finally:
            store.close()

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def feed(self, lines: Iterable[str]) -> None:
        """Answer line by line; in batch mode every line, commands included, is a question."""
        for raw in lines:
            line = raw.rstrip("\n")
            if not self.batch and line.strip().startswith(":"):
                if not self.command(line.strip()):
                    return
            elif self.batch or line.strip():
                self.ask(line)


def stdin_lines() -> Iterable[str]:
    """Standard input line by line, bytes that are not UTF-8 replaced rather than fatal."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def _interactive(console: Console, history: Path) -> None:
    import readline  # line editing and history, only when a person is typing

    history.parent.mkdir(parents=True, exist_ok=True)
    try:
        readline.read_history_file(history)
    except OSError:
        pass
    console.say("citebot: ask about the article (:help for commands, :quit to leave).")

    def lines():
        while True:
            try:
                yield input("? ")
            except EOFError:
                return
            except KeyboardInterrupt:
                console.say("")
                continue

    try:
        console.feed(lines())
    finally:
        readline.write_history_file(history)


def open_engine(args: argparse.Namespace, settings: EngineSettings) -> Engine:
    """The engine the bot would answer with: the same articles (the data folder's, unless
    ``--corpus`` or CORPUS_PATH says otherwise) and the same index."""
    library = Library.open(
        args.corpus or settings.corpus,
        settings.data_dir,
        args.index_dir or settings.index_dir,
        settings.threshold,
        rebuild=args.rebuild,
    )
    return library.engine


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = startup_settings()
    except SettingsError as exc:
        print(f"citebot: {exc}", file=sys.stderr)
        return 2
    if args.results is not None and not 1 <= args.results <= MAX_K:
        print(f"citebot: --results must be from 1 to {MAX_K}", file=sys.stderr)
        return 2
    try:
        engine = open_engine(args, settings)
    except (CorpusError, ModelError, IndexUnusable, OSError) as exc:
        print(f"citebot: {exc}", file=sys.stderr)
        return 2
    console = Console(
        engine,
        args.results or settings.results,
        args.json,
        batch=args.json,
        store_path=settings.data_dir / "feedback.sqlite3",
    )
    if args.question:
        console.ask(" ".join(args.question))
    elif args.json or not sys.stdin.isatty():
        console.feed(stdin_lines())
    else:
        _interactive(console, settings.data_dir / "console_history")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
