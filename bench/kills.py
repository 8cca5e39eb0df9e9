"""Fault injection: the paths of /article add and remove, and the merges after them, killed
with SIGKILL at seeded random points.

A worker process opens the library as the bot does (recovering from the kill before), records a
question in the feedback database, adds a short article (written, indexed in a new segment,
saved, swapped in), and again, every third time removing instead the oldest article it added
(its rows marked deleted) and pausing while the library's upkeep thread calibrates and merges
small segments (a merge is due every few changes), until it is killed: at the n-th write it makes in the data
folder (n drawn from the seed; the worker kills itself there, so the point is exact), or after a
drawn delay. After each kill, before the restart, the index on disk must be whole and be the one
before the interrupted add or the one after it, the articles folder must hold every article the
worker reported added, whole, and the feedback database every question it recorded. After the
restart, the index must be current, no temporary file or folder may be left, and only the texts
the index on disk lacked may have been embedded.

    python -m bench.kills --kills 100 [--seed 1] [--timed 0.3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.stores.database import DATABASE_FILE
from index.build import context_text
from index.corpus.articles import Article, corpus_checksum, read_corpus
from index.corpus.intake import Draft, draft_from_text
from index.corpus.passages import DEFAULT_CHUNKING, chunk_corpus
from index.store import disk as store
from index.words.vocabulary import Vocabulary, embeddable

if TYPE_CHECKING:
    from index.store.encoder import Encoder

ROOT = Path(__file__).resolve().parents[1]
INDEX = "index"
ARTICLES = "articles"
ONNX = "onnx-model"
FEEDBACK = DATABASE_FILE  # where the bot keeps what was asked
QUESTION = "What happened to the harbour in Wonsan?"
SPAN = 300  # kill points are drawn among the first SPAN writes of a life: a start and a few changes
MAX_DELAY = 4.0  # seconds, for kills by the clock
LIFE_LIMIT = 600.0  # a worker still alive after this has hung at its kill point: a failure

PLACES = ("Wonsan", "Hamhung", "Chongjin", "Sinuiju", "Kaesong", "Nampo", "Haeju", "Rason")
THINGS = ("harbour", "rail depot", "power station", "grain store", "ferry", "fish market", "customs post")
EVENTS = ("reopened", "closed", "flooded", "was inspected", "was repaired", "ran short of fuel")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def draft(run: int, number: int) -> Draft:
    """The ``number``-th article a worker of life ``run`` adds: short, the same on every call."""
    rng = random.Random(f"{run}/{number}")
    place = rng.choice(PLACES)
    paragraphs = [
        f"The {rng.choice(THINGS)} in {place} {rng.choice(EVENTS)} on {rng.choice(DAYS)}, officials said. "
        f"About {rng.randint(20, 900)} workers were there at the time."
        for _ in range(3)
    ]
    return draft_from_text(f"{place} bulletin {run}-{number}", "\n\n".join(paragraphs))


# The worker: one life of the process, until it is killed.


def _written(event: str, args: tuple) -> tuple[str, ...]:
    """The paths an audited operation changes (a rename's both), or none when it only reads or
    is not about files."""
    if event == "open":
        path, mode, flags = args
        writes = any(c in (mode or "") for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        return (os.fsdecode(path),) if writes and isinstance(path, (str, bytes, os.PathLike)) else ()
    if event in ("os.rename", "os.link"):
        return (os.fsdecode(args[0]), os.fsdecode(args[1]))
    if event == "os.symlink":  # (what the link names, the link)
        return (os.fsdecode(args[1]),)
    if event in (
        "os.remove",
        "os.rmdir",
        "os.mkdir",
        "shutil.rmtree",
        "tempfile.mkdtemp",
        "tempfile.mkstemp",
    ):
        return (os.fsdecode(args[0]),)
    return ()


DOING: set[str] = set()  # what the worker is doing: "add", "remove", "merge" (the upkeep thread's)


class KillSwitch:
    """An audit hook counting the writes under ``root`` (those whose "event path" matches
    ``on``, if given; ``on`` may start with "add:", "remove:" or "merge:" to count only the
    writes made while the worker does that); at the ``at``-th it kills the process (SIGKILL:
    no cleanup runs) after naming the write on stdout."""

    def __init__(self, root: Path, at: int, on: str = "") -> None:
        self.during, _, on = on.partition(":") if re.match(r"(add|remove|merge):", on) else ("", "", on)
        self.root, self.at, self.on, self.count = str(root), at, re.compile(on), 0

    def __call__(self, event: str, args: tuple) -> None:
        paths = _written(event, args)
        if not any(p.startswith(self.root) for p in paths) or (self.during and self.during not in DOING):
            return
        where = f"{event} {' -> '.join(os.path.relpath(p, self.root) for p in paths)}"
        if not self.on.search(where):
            return
        self.count += 1
        if self.count == self.at:
            sys.stdout.write(f"dying {where}\n")
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)


class EmbeddedTexts(logging.Handler):
    """Counts the texts a build embeds anew, from the line ``encode_texts`` logs for each kind."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if (
            isinstance(record.msg, str)
            and record.msg.startswith("embedding")
            and isinstance(record.args, tuple)
        ):
            self.count += int(record.args[2])

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def work(data: Path, run: int, kill_at: int, kill_on: str = "", fsize: int = 0) -> int:
    """One life of the worker: open the library, wait for "go", then ask and add until killed
    (or, with ``fsize``, add once with files limited to that many bytes and report the refusal)."""
    from bot.stores.feedback import FeedbackStore
    from index.library import Library, LibraryError
    from index.store import onnx_encoder

    data = data.resolve()
    sys.addaudithook(KillSwitch(data, kill_at, kill_on))
    embedded = EmbeddedTexts()
    build_log = logging.getLogger("index.build")
    build_log.addHandler(embedded)
    build_log.setLevel(logging.INFO)
    encoder = onnx_encoder.load(data / ONNX, threads=1)
    if encoder is None:
        raise SystemExit(f"no ONNX export in {data / ONNX}")
    library = Library.open(None, data, data / INDEX, encoder=encoder)
    library.merge_at = MERGE_AT
    _tell_merges()
    library.settle(60)  # what the start found to do (a calibration a kill cut short) is done
    feedback = FeedbackStore(data / FEEDBACK)
    say("ready", library.engine.manifest.corpus_checksum, embedded.take())
    if sys.stdin.readline().strip() != "go":
        return 0
    mine: list[str] = []  # slugs this life added and has not removed
    for number in itertools.count():
        answer = library.engine.answer(QUESTION)
        ask = feedback.record_ask(
            QUESTION,
            passage_ids=[c.id for c in answer.citations],
            focus="",
            answered=answer.answered,
            results=len(answer.citations),
            user_id=run,
        )
        say("asked", ask)
        if fsize:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full disk
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, resource.RLIM_INFINITY))
        try:
            if number % 3 == 2 and mine:
                gone = library.find(mine.pop(0))
                assert gone is not None
                say("removing", gone.path)
                DOING.add("remove")
                library.remove(gone.slug)
                DOING.discard("remove")
                say("removed", gone.path, library.engine.manifest.corpus_checksum)
                library.settle(60)  # a pause: the upkeep (calibration, merges) saves meanwhile
                continue
            say("adding")
            DOING.add("add")
            article, _ = library.add(draft(run, number), added_by="kills")
            DOING.discard("add")
        except LibraryError as exc:
            say("refused", str(exc).replace("\n", " "))
            return 0
        mine.append(article.slug)
        say("added", number, article.path, library.engine.manifest.corpus_checksum, embedded.take())
    return 0


MERGE_AT = 3  # small segments merged: often, so that kills land in merges too


def _tell_merges() -> None:
    """Say "merging" as the upkeep thread starts saving a merge, and "served" when an index is
    swapped in, so that a kill between the two is known to have cut a merge short."""
    import index.library

    merging, serving = index.library.with_merged, index.library.Library._serve

    def with_merged(*args: object, **kwargs: object) -> object:
        merged = merging(*args, **kwargs)
        if merged is not None:
            DOING.add("merge")
            say("merging", len(merged.segments))
        return merged

    def serve(self: object, *args: object, **kwargs: object) -> None:
        serving(self, *args, **kwargs)
        if "merge" in DOING:
            DOING.discard("merge")
            say("merged")

    index.library.with_merged = with_merged
    index.library.Library._serve = serve


def say(*words: object) -> None:
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


# The harness: lives started, killed and checked.


@dataclass(frozen=True)
class Plan:
    """Where a life ends: at its ``at``-th write (of those matching ``on``), after ``delay``
    seconds, or (neither) when told; ``fsize`` limits its files' size from its first add."""

    at: int = 0
    on: str = ""
    delay: float | None = None
    fsize: int = 0

    def __str__(self) -> str:
        if self.at:
            return f"write {self.at}{f' of {self.on!r}' if self.on else ''}"
        return "stopped" if self.delay is None else f"{self.delay:.2f} s"


@dataclass
class Ledger:
    """What the workers reported done: it must all still be there after any kill."""

    texts: dict[str, str] = field(default_factory=dict)  # article path -> text its file must hold
    removing: set[str] = field(default_factory=set)  # paths whose removal was begun: may be gone
    asked: set[int] = field(default_factory=set)
    served: str = ""  # corpus checksum of the last index a worker served


@dataclass
class Life:
    """One run of the worker, as it reported it."""

    run: int
    plan: Plan
    ready: bool = False
    embedded: int = 0  # texts its start embedded (those of an add cut short, if any)
    dying: str = ""  # the write it was killed at, as the worker named it
    cut: str = ""  # what the kill cut short: "add", "remove", "merge" (or "" between them)
    merges: int = 0
    removed: int = 0
    refused: str = ""
    added: int = 0
    returncode: int | None = None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Before:
    """The data folder as a restart finds it."""

    index_checksum: str
    folder_checksum: str
    missing: tuple[Article, ...]  # articles in the folder the index on disk lacks


def whole_index(data: Path) -> store.Manifest:
    """The manifest of the index on disk as it stands, nothing repaired first, when every file
    in it matches its checksum (else ``store.IndexUnusable``)."""
    return store.verify(data / INDEX)


def temporaries(data: Path) -> list[str]:
    """Files and folders a finished save or add leaves behind: none may be, after a start."""
    index = data / INDEX
    served = os.readlink(index) if index.is_symlink() else None
    found = [p.name for p in data.iterdir() if p.name.startswith(".") and p.name != served]
    return found + [f"{ARTICLES}/{p.name}" for p in (data / ARTICLES).iterdir() if p.name.startswith(".")]


def new_texts_at_most(articles: tuple[Article, ...]) -> int:
    """How many texts indexing ``articles`` can embed: passages, sentences and words."""
    passages = chunk_corpus(list(articles), DEFAULT_CHUNKING)
    words = Vocabulary.count([context_text(p) for p in passages])
    return len(passages) + sum(len(p.sentence_texts()) for p in passages) + sum(map(embeddable, words))


def look(data: Path) -> Before:
    manifest = whole_index(data)
    articles = read_corpus(data / ARTICLES).articles
    indexed = {a.slug for a in manifest.articles}
    missing = tuple(a for a in articles if a.slug not in indexed)
    return Before(manifest.corpus_checksum, corpus_checksum(articles), missing)


def check_start(data: Path, ledger: Ledger, before: Before | None, checksum: str, embedded: int) -> list[str]:
    """What is wrong after a restart: a stale index, a temporary left, texts embedded again."""
    problems = []
    articles = read_corpus(data / ARTICLES).articles
    if checksum != corpus_checksum(articles) or whole_index(data).corpus_checksum != checksum:
        problems.append("after the restart the index is not that of the articles folder")
    problems += [f"left after the restart: {name}" for name in temporaries(data)]
    if before is not None:
        most = 0 if before.index_checksum == before.folder_checksum else new_texts_at_most(before.missing)
        if embedded > most:
            problems.append(f"the restart embedded {embedded} texts; the index on disk lacked {most} at most")
    for path in [p for p in ledger.removing if not Path(p).exists()]:  # a removal the kill cut short
        ledger.texts.pop(path, None)
        ledger.removing.discard(path)
    ledger.texts.update({a.path: a.body for a in articles if a.path not in ledger.texts})
    ledger.served = checksum
    return problems


def check_killed(data: Path, ledger: Ledger) -> list[str]:
    """What is wrong with the data folder a killed worker left: a broken or unknown index, a
    lost or damaged article, a lost feedback row."""
    problems = []
    read = read_corpus(data / ARTICLES)
    problems += [f"unreadable article file {r.name}: {r.reason}" for r in read.refused]
    try:
        on_disk = whole_index(data).corpus_checksum
        if on_disk not in (ledger.served, corpus_checksum(read.articles)):
            problems.append("the index on disk is neither the one before the add nor the one after it")
    except store.IndexUnusable as exc:
        problems.append(f"no whole index on disk: {exc}")
    for path, text in ledger.texts.items():
        if path in ledger.removing and not Path(path).exists():
            continue
        if not Path(path).is_file() or text not in Path(path).read_text(encoding="utf-8"):
            problems.append(f"article {Path(path).name} lost or cut")
    unknown = [a.path for a in read.articles if a.path not in ledger.texts]
    if len(unknown) > 1:
        problems.append(f"{len(unknown)} articles nobody added: {unknown}")
    with sqlite3.connect(data / FEEDBACK) as db:
        kept = {row[0] for row in db.execute("SELECT id FROM asks")}
    if ledger.asked - kept:
        problems.append(f"feedback rows lost: {sorted(ledger.asked - kept)}")
    return problems


def live(data: Path, run: int, plan: Plan, ledger: Ledger, before: Before | None) -> Life:
    """Start a worker, check its start, let it work until its plan ends it, and check what is
    left. Problems are collected in the life, never raised."""
    life = Life(run, plan)
    command = [sys.executable, "-m", "bench.kills", "--worker", str(data), "--run", str(run)]
    command += ["--kill-at", str(plan.at), "--kill-on", plan.on, "--fsize", str(plan.fsize)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    hung = threading.Event()
    watchdog = threading.Timer(LIFE_LIMIT, lambda: (hung.set(), worker.kill()))
    watchdog.start()
    clock = None
    changing, merging = "", False  # the change under way in the main thread; a merge being saved
    try:
        assert worker.stdout is not None and worker.stdin is not None
        for line in worker.stdout:
            word, *rest = line.split()
            if word == "ready":
                life.ready, life.embedded = True, int(rest[1])
                life.problems += check_start(data, ledger, before, rest[0], life.embedded)
                go = plan.at or plan.delay is not None or plan.fsize
                worker.stdin.write("go\n" if go else "stop\n")
                worker.stdin.flush()
                if plan.delay is not None:
                    clock = threading.Timer(plan.delay, worker.kill)
                    clock.start()
            elif word == "asked":
                ledger.asked.add(int(rest[0]))
            elif word == "adding":
                changing = "add"
            elif word == "added":
                number, path, ledger.served = int(rest[0]), rest[1], rest[2]
                ledger.texts[path] = draft(run, number).text
                life.added += 1
                changing = ""
            elif word == "removing":
                ledger.removing.add(rest[0])
                changing = "remove"
            elif word == "removed":
                ledger.texts.pop(rest[0], None)
                ledger.removing.discard(rest[0])
                ledger.served = rest[1]
                life.removed += 1
                changing = ""
            elif word in ("merging", "merged"):
                life.merges += word == "merged"
                merging = word == "merging"
            elif word == "dying":
                life.dying = " ".join(rest)
                life.cut = "merge" if merging else changing
            elif word == "refused":
                life.refused = line.removeprefix("refused ").strip()
        life.returncode = worker.wait()
    finally:
        for timer in (watchdog, clock):
            if timer is not None:
                timer.cancel()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    stderr = worker.stderr.read() if worker.stderr else ""
    killed = plan.at or plan.delay is not None
    if hung.is_set():
        life.problems.append(f"the worker was still alive after {LIFE_LIMIT:.0f} s: {stderr[-800:]}")
    elif life.returncode != (-signal.SIGKILL if killed else 0):
        life.problems.append(f"the worker ended with {life.returncode}: {stderr[-800:]}")
    life.problems += check_killed(data, ledger)
    return life


def prepare(data: Path, encoder: Encoder) -> None:
    """A data folder as a first start leaves it: the built-in article, its index, the export."""
    from index.build import open_index
    from index.library import corpus_folder
    from index.store import onnx_encoder

    folder = corpus_folder(None, data)
    open_index(folder, data / INDEX, encoder)
    if onnx_encoder.export(data / ONNX, encoder) is None:
        raise SystemExit("the ONNX export failed: the workers need it")


def run_kills(
    data: Path, kills: int, seed: int, timed: float = 0.0, each: Callable[[Life], None] | None = None
) -> list[Life]:
    """``kills`` lives killed at seeded points, then one stopped after its start; every life
    with the problems found (none, if the data folder survived), each also given to ``each``
    as it ends."""
    rng = random.Random(seed)
    ledger, before = Ledger(), None
    lives = []
    for run in range(kills + 1):
        if run == kills:
            plan = Plan()
        elif rng.random() < timed:
            plan = Plan(delay=rng.uniform(0.0, MAX_DELAY))
        else:
            plan = Plan(at=rng.randint(1, SPAN))
        lives.append(live(data, run, plan, ledger, before))
        if each is not None:
            each(lives[-1])
        before = look(data) if not lives[-1].problems else None
    return lives


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kills", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timed", type=float, default=0.3, help="share of kills by the clock (default 0.3)")
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (default: a temporary one)"
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--kill-at", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--kill-on", default="", help=argparse.SUPPRESS)
    parser.add_argument("--fsize", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return work(args.worker, args.run, args.kill_at, args.kill_on, args.fsize)
    logging.basicConfig(level=logging.WARNING)
    from index.store.encoder import shared_encoder

    work_dir = Path(args.keep or tempfile.mkdtemp(prefix="citebot-kills-"))
    data = work_dir / "data"
    try:
        prepare(data, shared_encoder())
        lives = run_kills(data, args.kills, args.seed, args.timed, each=_report)
    finally:
        if not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    killed = lives[:-1]
    survived = sum(not life.problems for life in killed)
    print(f"killed {len(killed)} times (seed {args.seed}); survived {survived}")
    cut = {what: sum(life.cut == what for life in killed) for what in ("add", "remove", "merge")}
    print(
        f"articles added {sum(life.added for life in lives)}, removed {sum(life.removed for life in lives)}; "
        f"merges {sum(life.merges for life in lives)}; kills inside an add {cut['add']}, "
        f"a removal {cut['remove']}, a merge {cut['merge']}; restart clean: {not lives[-1].problems}"
    )
    return 0 if survived == len(killed) and not lives[-1].problems else 1


def _report(life: Life) -> None:
    where = life.dying or ("by the clock" if life.plan.delay is not None else "-")
    state = "ok" if not life.problems else "FAILED"
    inside = f" (inside {'an' if life.cut == 'add' else 'a'} {life.cut})" if life.cut else ""
    print(f"life {life.run}: {life.plan}, at {where}{inside}; {life.added} added; {state}", flush=True)
    for problem in life.problems:
        print(f"    {problem}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
