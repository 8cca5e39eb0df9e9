"""The console harness: ask citebot questions in a terminal, offline, as Discord would answer."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from bot.render.answer import render_card, render_json, render_passages
from bot.render.card import render_text
from bot.render.library import render_sources
from bot.render.reports import render_gaps, render_usage
from bot.stores.database import database_path
from bot.stores.feedback import FeedbackStore, days_ago
from index import (
    MAX_HISTORY,
    MAX_K,
    STATE_FILE,
    Answer,
    CitebotError,
    ConfigError,
    Engine,
    EngineConfig,
    Libraries,
    Library,
    SourceState,
    SourceStates,
    View,
    group_asked,
    refusal,
    startup_config,
)

log = logging.getLogger("citebot.console")

MAX_OBJECT_CHARS = 50_000  # a batch line holding a question and its history, at most

HELP = """Type a question about the article and press Enter. Commands:
  :k N          show N passages per answer (1-10)
  :passage ID   show one passage, e.g. :passage nk-troops#p3
  :sources      the indexed articles
  :gaps [DAYS]  questions not answered well in Discord, grouped (default: 7 days)
  :stats [DAYS] questions per day, share answered, feedback (default: 14 days)
  :json         switch JSON output on or off
  :new          start a new conversation (a question is read with the ones before it until then)
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
    ap.add_argument(
        "--server",
        type=int,
        metavar="ID",
        help="ask as in this Discord server: its own articles and the shared",
    )
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
        view: View | None = None,
    ) -> None:
        """``view``: the libraries ``engine`` joins (a server's and the shared), to say which
        one each passage is from."""
        self.engine, self.k, self.as_json = engine, k, as_json
        self.view = view
        self.out = out or sys.stdout
        self.batch = batch  # the scorers' protocol: every line is a question, commands included
        self.conversation = False  # a person at the prompt: questions follow each other until :new
        self.history: list[str] = []
        self.store_path = store_path  # what the bot keeps of the questions asked in Discord

    def ask(self, question: str, history: Sequence[str] = ()) -> None:
        try:
            answer = self.engine.answer(question, self.k, history)
            if self.view is not None:
                answer = self.view.label(answer)
        except CitebotError as exc:  # said as the core says it; the whole of it is the log's
            log.warning("could not answer %r: %s", question[:100], exc.detail)
            answer = refusal(question, exc.user_message)
        except Exception:  # one bad question must not end a batch: it gets its own error line
            log.exception("could not answer %r", question[:100])
            answer = refusal(question, "Sorry, something went wrong while answering that question.")
        self.write(answer)

    def write(self, answer: Answer) -> None:
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
            self.say(render_text(render_sources(self.engine.manifest, self.fetched_states())))
            self.say(f"Model {self.engine.manifest.model}; answer threshold {self.engine.threshold:.3f}.")
        elif name in ("gaps", "stats"):
            self.report(name, arg)
        elif name == "new":
            self.history.clear()
            self.say("New conversation: the next question is read on its own.")
        elif name == "json":
            self.as_json = not self.as_json
            self.say(f"JSON output {'on' if self.as_json else 'off'}.")
        else:
            self.say(f"Unknown command :{name}. Type :help for the list.")
        return True

    def fetched_states(self) -> dict[str, SourceState]:
        """The sync states of the articles fetched from the web (kept beside the bot's database)."""
        if self.store_path is None or not (self.store_path.parent / STATE_FILE).exists():
            return {}
        states = SourceStates.in_folder(self.store_path.parent)
        try:
            return {state.slug: state for state in states.all()}
        finally:
            states.close()

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
            since = days_ago(days)
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
            elif self.batch and line.lstrip().startswith("{"):
                self.ask_object(line)
            elif self.conversation and line.strip():
                self.ask(line, self.history)
                self.history = [*self.history, line][-MAX_HISTORY:]
            elif self.batch or line.strip():
                self.ask(line)

    def ask_object(self, line: str) -> None:
        """A batch line that is a JSON object: ``{"question": "...", "history": ["...", ...]}``
        (earlier questions, oldest first); one that cannot be used still gets its one line."""
        try:
            data = json.loads(line[:MAX_OBJECT_CHARS]) if len(line) <= MAX_OBJECT_CHARS else None
        except ValueError:
            data = None
        question = data.get("question") if isinstance(data, dict) else None
        if not isinstance(question, str):
            self.write(
                refusal(line[:200], 'A JSON line needs a "question" (text), and may have a "history".')
            )
            return
        history = data.get("history")
        earlier = [h for h in history if isinstance(h, str)] if isinstance(history, list) else []
        self.ask(question, earlier)


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
    console.conversation = True
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


def open_view(args: argparse.Namespace, settings: EngineConfig) -> View:
    """What the bot would answer with: the same articles (the data folder's, unless
    ``--corpus`` or CORPUS_PATH says otherwise) and the same index; with ``--server``, that
    server's own library joined to them, as the bot answers in that server.

    Raises:
        CitebotError: they cannot be opened (a folder's ``OSError`` included).
    """
    try:
        library = Library.open(
            args.corpus or settings.corpus,
            settings.data_dir,
            args.index_dir or settings.index_dir,
            settings.threshold,
            rebuild=args.rebuild,
            max_corpus_bytes=settings.max_corpus_bytes,
        )
        return Libraries(library, settings.data_dir).view(args.server)
    except CitebotError:
        raise
    except OSError as exc:  # a folder that cannot be made or read
        raise CitebotError(str(exc)) from exc


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = startup_config()
        if args.results is not None and not 1 <= args.results <= MAX_K:
            raise ConfigError(f"--results must be from 1 to {MAX_K}")
        view = open_view(args, settings)
    except CitebotError as exc:  # one line for the operator; the whole message is the log's
        log.debug("stopped: %s", exc.detail)
        print(f"citebot: {exc.user_message}", file=sys.stderr)
        return 2
    console = Console(
        view.engine,
        args.results or settings.results,
        args.json,
        batch=args.json,
        store_path=database_path(settings.data_dir),
        view=view,
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
