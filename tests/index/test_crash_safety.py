"""Crash safety: saves and adds killed (SIGKILL) at exact points, a failed rename, a full disk,
fsync; real processes, real files, the real model."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bench.kills import (
    ARTICLES,
    INDEX,
    ONNX,
    Ledger,
    Plan,
    live,
    look,
    prepare,
    run_kills,
    temporaries,
    whole_index,
)
from index.build import open_index
from index.corpus.articles import BUILTIN_CORPUS
from index.store import disk as store
from index.store.encoder import model_id
from index.words.background import background_words

ROOT = Path(__file__).resolve().parents[2]
NEW = "the new one"
# Saves a copy of an index over ``folder``, its manifest marked NEW, killed at the ``at``-th
# write (of those matching ``on``) under folder's parent.
KILLED_SAVE = """
import sys
from dataclasses import replace
from pathlib import Path
from bench.kills import KillSwitch
from index.store import disk as store
source, folder, at, on, mark = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]
index = store.load(source)
index.manifest = replace(index.manifest, built_at=mark)
sys.addaudithook(KillSwitch(folder.parent.resolve(), at, on))
store.save(index, folder)
"""


def killed_save(source: Path, folder: Path, at: int, on: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", KILLED_SAVE, str(source), str(folder), str(at), on, NEW],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture()
def saved(builtin_index_dir: Path, tmp_path: Path) -> Path:
    """An index folder as citebot saves it, beside nothing else."""
    folder = tmp_path / "index"
    store.save(store.load(builtin_index_dir), folder)
    return folder


def leftovers(folder: Path) -> list[str]:
    served = os.readlink(folder) if folder.is_symlink() else None
    return sorted(p.name for p in folder.parent.iterdir() if p.name not in (folder.name, served))


def test_a_kill_at_any_step_of_the_swap_leaves_an_index_served_without_rebuilding(
    saved, builtin_index_dir, encoder
):
    old = store.load(saved).manifest.built_at
    at, swap = 1, r"^os\.(rename|symlink)|^shutil\.rmtree"
    while (done := killed_save(builtin_index_dir, saved, at, swap)).returncode != 0:
        assert done.returncode == -9, done.stderr
        index, status = open_index(BUILTIN_CORPUS, saved, encoder)
        assert not status.rebuilt, f"killed at {done.stdout.strip()}: {status.reason}"
        assert index.manifest.built_at in (old, NEW)
        assert leftovers(saved) == []
        store.save(replace(index, manifest=replace(index.manifest, built_at=old)), saved)
        at += 1
    assert at > 2  # it was killed at every rename and deletion of a save, the swap's included
    assert store.load(saved).manifest.built_at == NEW


def test_a_save_killed_while_writing_leaves_no_temporary_after_a_start(saved, builtin_index_dir, encoder):
    done = killed_save(builtin_index_dir, saved, 1, r"^(open|os\.link) .*\.new-")
    assert done.returncode == -9 and ".new-" in done.stdout, done.stderr
    _, status = open_index(BUILTIN_CORPUS, saved, encoder)
    assert not status.rebuilt
    assert leftovers(saved) == []


@pytest.mark.parametrize("made_by", ["saved", "copied"])
def test_a_failed_rename_into_place_keeps_the_index_before(made_by, builtin_index_dir, tmp_path, monkeypatch):
    folder = tmp_path / "index"
    if made_by == "saved":
        store.save(store.load(builtin_index_dir), folder)
    else:  # a real folder, as versions before the swap by link left it
        shutil.copytree(builtin_index_dir, folder)
    before = store.load(folder).manifest.built_at
    index = store.load(builtin_index_dir)
    index.manifest = replace(index.manifest, built_at=NEW)
    rename, failed = os.replace, []

    def failing(src, dst, **kwargs):
        if Path(dst) == folder and not failed:
            failed.append(src)
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        rename(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        store.save(index, folder)
    monkeypatch.setattr(os, "replace", rename)
    assert failed
    assert store.load(folder).manifest.built_at == before
    assert leftovers(folder) == []


def test_every_file_and_folder_is_fsynced_before_the_new_index_is_put_in_place(
    saved, builtin_index_dir, monkeypatch
):
    calls: list[tuple[str, object]] = []
    fsync, rename = os.fsync, os.replace

    def spy_fsync(fd):
        calls.append(("fsync", os.fstat(fd).st_ino))  # inodes outlive renames
        fsync(fd)

    def spy_replace(src, dst, **kwargs):
        calls.append(("replace", Path(dst)))
        rename(src, dst, **kwargs)

    index = store.load(builtin_index_dir)
    before = {p.stat().st_ino for p in (saved.resolve() / store.SEGMENTS).rglob("*") if p.is_file()}
    changed = replace(index, deleted={index.segments[0].name: frozenset({0})})  # a removal's save
    monkeypatch.setattr(os, "fsync", spy_fsync)
    monkeypatch.setattr(os, "replace", spy_replace)
    store.save(changed, saved)
    put = calls.index(("replace", saved))
    synced = {ino for op, ino in calls[:put] if op == "fsync"}
    version = saved.resolve()
    written = {p.stat().st_ino for p in (version, *version.rglob("*"))}
    linked = written & before  # the segment the change left alone: linked, made durable when written
    assert linked == before  # every file of its segment
    assert written - linked <= synced  # every other file and folder of the new index
    assert saved.parent.stat().st_ino in synced  # its name in the parent folder
    assert ("fsync", saved.parent.stat().st_ino) in calls[put:]  # and the swap itself


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, encoder) -> Path:
    """A data folder as a first start leaves it, made once: the workers copy it."""
    background_words(model_id(), encoder)  # the common-word table workers read, made once per run
    data = tmp_path_factory.mktemp("kills") / "data"
    prepare(data, encoder)
    return data


@pytest.fixture()
def data(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(template, copy, symlinks=True, ignore=shutil.ignore_patterns(ONNX))
    (copy / ONNX).symlink_to(template / ONNX)  # read only, and large
    return copy


def test_an_add_killed_while_writing_its_article_leaves_no_temporary_after_a_start(data):
    ledger = Ledger()
    killed = live(data, 1, Plan(at=1, on=r"^os\.link articles/\.adding-"), ledger, None)
    assert killed.problems == [] and killed.dying.startswith("os.link")
    restarted = live(data, 2, Plan(), ledger, None)
    assert restarted.ready and restarted.problems == []
    assert not any(name.startswith(f"{ARTICLES}/.") for name in temporaries(data))


def test_a_full_disk_during_an_add_says_so_and_loses_nothing(data):
    ledger = Ledger()
    before = sorted(p.name for p in (data / ARTICLES).iterdir())
    served = whole_index(data)
    life = live(data, 1, Plan(fsize=20_000), ledger, None)  # passages.faiss alone is larger
    assert life.problems == []
    assert life.refused.startswith("the article could not be indexed")
    assert "disk space" in life.refused and "/" not in life.refused, life.refused
    assert len(life.refused) < 160
    assert sorted(p.name for p in (data / ARTICLES).iterdir()) == before
    assert whole_index(data) == served
    assert temporaries(data) == []
    assert len(ledger.asked) == 1  # the question recorded before the add is kept


@pytest.mark.parametrize(
    "on",
    [
        r"remove:^os\.rename articles/",  # its file set aside, the index not yet changed
        r"remove:^open \.index\.new-",  # its deleted rows being written
        r"remove:^os\.rename \S+ -> index\b",  # the swap
        r"merge:^open \.index\.new-",  # the merged segment being written
        r"merge:^os\.rename \S+ -> index\b",  # the swap
    ],
)
def test_a_removal_or_a_merge_killed_at_its_writes_loses_nothing(data, on):
    ledger = Ledger()
    killed = live(data, 1, Plan(at=1, on=on), ledger, None)
    assert killed.problems == [] and killed.cut == on.partition(":")[0], killed
    restarted = live(data, 2, Plan(), ledger, look(data))
    assert restarted.ready and restarted.problems == []


KILLS = 12
SEED = 2  # its 12 draws land on each of the three steps below (bench.kills runs 100)


def test_kills_at_seeded_points_of_adds_and_restarts_lose_nothing(data):
    lives = run_kills(data, KILLS, SEED)
    report = [(life.run, str(life.plan), life.dying, life.problems) for life in lives if life.problems]
    assert report == []
    killed = lives[:-1]
    assert len(killed) == KILLS and all(life.dying for life in killed)
    assert sum(life.added for life in lives) >= KILLS // 2  # the adds went on between kills
    assert any(life.embedded for life in lives)  # some starts indexed an add cut short...
    assert any(life.ready and not life.embedded for life in lives[1:])  # ...others found it done
    landed = " ".join(life.dying for life in killed)
    for step in (r"\.adding-", r"\.new-", f"os.rename \\S+ -> {INDEX}\\b"):  # article, new index, swap
        assert re.search(step, landed), (step, landed)
