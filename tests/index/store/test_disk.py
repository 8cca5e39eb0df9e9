"""The index folder: round trip, checksums, stale and damaged indexes rebuilt, never served."""

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.answering.search import search
from index.build import open_index
from index.corpus.articles import BUILTIN_CORPUS
from index.store import disk as store
from index.store.disk import IndexUnusable
from index.store.segments import PASSAGE_VECTORS, PASSAGES, SENTENCE_VECTORS


def test_round_trip_gives_the_same_passages_vectors_and_results(builtin_index_dir, encoder, tmp_path):
    index = store.load(builtin_index_dir)
    copy = tmp_path / "copy"
    store.save(index, copy)
    again = store.load(copy)
    assert again.passages == index.passages
    assert again.manifest.threshold == index.manifest.threshold
    assert np.array_equal(again.passage_vectors.all(), index.passage_vectors.all())
    assert np.array_equal(again.sentence_vectors.all(), index.sentence_vectors.all())
    q = encoder.encode(["Where are North Korean troops training?"])[0]
    ids = [h.passage.id for h in search(index, q, "Where are North Korean troops training?", 3)]
    assert ids == [h.passage.id for h in search(again, q, "Where are North Korean troops training?", 3)]


def test_manifest_records_model_chunking_checksums_and_build(builtin_index_dir):
    m = json.loads((builtin_index_dir / store.MANIFEST).read_text())
    for key in (
        "format_version",
        "model",
        "dimension",
        "chunking",
        "corpus_checksum",
        "threshold",
        "built_at",
        "files",
        "segments",
    ):
        assert key in m
    assert m["dimension"] == 384
    segment = f"{store.SEGMENTS}/{m['segments'][0]}"
    assert set(m["files"]) >= {f"{segment}/{name}" for name in (PASSAGES, PASSAGE_VECTORS, SENTENCE_VECTORS)}


def in_segment(folder: Path, name: str) -> Path:
    """A file of the index's first segment."""
    return folder / store.SEGMENTS / store.read_manifest(folder).segments[0] / name


def copy_of(builtin_index_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(builtin_index_dir, target)
    return target


def test_flipped_bytes_in_the_faiss_file_are_caught(builtin_index_dir, tmp_path):
    folder = copy_of(builtin_index_dir, tmp_path)
    path = in_segment(folder, PASSAGE_VECTORS)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))
    with pytest.raises(IndexUnusable, match="checksum"):
        store.load(folder)


def test_damaged_index_is_rebuilt_not_served(builtin_index_dir, encoder, tmp_path, caplog):
    folder = copy_of(builtin_index_dir, tmp_path)
    in_segment(folder, PASSAGES).write_text("not json\n")
    index, status = open_index(BUILTIN_CORPUS, folder, encoder)
    assert status.rebuilt and "checksum" in status.reason
    assert store.load(folder).passages == index.passages
    assert any("building the index" in r.message for r in caplog.records)


def test_unreadable_manifest_is_rebuilt(builtin_index_dir, encoder, tmp_path):
    folder = copy_of(builtin_index_dir, tmp_path)
    (folder / store.MANIFEST).write_text("{ half a manifest")
    _, status = open_index(BUILTIN_CORPUS, folder, encoder)
    assert status.rebuilt and "unreadable manifest" in status.reason


def test_changed_corpus_makes_the_index_stale(builtin_index_dir, encoder, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BUILTIN_CORPUS, corpus)
    folder = tmp_path / "index"
    open_index(corpus, folder, encoder)
    with (corpus / "nk-troops.txt").open("a", encoding="utf-8") as fh:
        fh.write("\nA late paragraph about ceasefire talks in Geneva was added.")
    index, status = open_index(corpus, folder, encoder)
    assert status.rebuilt and "corpus checksum changed" in status.reason
    assert any("Geneva" in p.text for p in index.passages)


def test_missing_index_is_built_and_then_reused(encoder, tmp_path):
    folder = tmp_path / "fresh"
    _, first = open_index(BUILTIN_CORPUS, folder, encoder)
    _, second = open_index(BUILTIN_CORPUS, folder, encoder)
    assert first.rebuilt and "no index" in first.reason
    assert not second.rebuilt


def test_extra_or_missing_files_are_caught(builtin_index_dir, tmp_path):
    folder = copy_of(builtin_index_dir, tmp_path)
    in_segment(folder, SENTENCE_VECTORS).unlink()
    with pytest.raises(IndexUnusable, match="files differ"):
        store.load(folder)


def test_save_leaves_no_temporary_folders(builtin_index_dir, tmp_path):
    index = store.load(builtin_index_dir)
    store.save(index, tmp_path / "index")
    store.save(index, tmp_path / "index")
    served = os.readlink(tmp_path / "index")  # the index is a link to the version it serves
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["index", served])


def test_an_index_folder_never_replaces_other_files(builtin_index_dir, tmp_path):
    victim = tmp_path / "notes"
    victim.mkdir()
    (victim / "diary.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(IndexUnusable, match="not a citebot index"):
        store.save(store.load(builtin_index_dir), victim)
    assert (victim / "diary.txt").read_text(encoding="utf-8") == "mine"


def test_an_edited_manifest_is_caught_and_rebuilt(builtin_index_dir, encoder, tmp_path):
    folder = copy_of(builtin_index_dir, tmp_path)
    data = json.loads((folder / store.MANIFEST).read_text())
    data["threshold"] = 0.9
    (folder / store.MANIFEST).write_text(json.dumps(data))
    with pytest.raises(IndexUnusable, match="checksum does not match"):
        store.load(folder)
    index, status = open_index(BUILTIN_CORPUS, folder, encoder)
    assert status.rebuilt and index.manifest.threshold < 0.9


def test_changed_chunking_makes_the_index_stale(builtin_index_dir, encoder, tmp_path):
    from index.corpus.passages import ChunkSettings

    folder = copy_of(builtin_index_dir, tmp_path)
    _, status = open_index(BUILTIN_CORPUS, folder, encoder, settings=ChunkSettings(window_chars=500))
    assert status.rebuilt and "chunking changed" in status.reason
