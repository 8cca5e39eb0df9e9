"""The corpus folder and the live engine: added, changed, removed and bad files, real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import build, calibration
from index import library as index_library
from index.answering.engine import Engine
from index.build import open_index
from index.corpus.articles import BUILTIN_CORPUS
from index.corpus.intake import Draft, draft_from_text
from index.library import Library, LibraryError, corpus_folder
from index.words.terms import words

HARBOUR = draft_from_text(
    "Wonsan harbour freezes",
    "The harbour of Wonsan froze over in March, officials said on Tuesday.\n\n"
    "Fishing boats stayed in port for three weeks while icebreakers worked to open a channel.\n\n"
    "Local traders said the price of fish doubled during the freeze.",
)
FISH = "What happened to the price of fish in Wonsan?"
HARBOUR_URL = "https://example.com/harbour"


def test_the_data_folder_starts_with_a_copy_of_the_builtin_article(tmp_path):
    folder = corpus_folder(None, tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in BUILTIN_CORPUS.iterdir())
    (folder / "nk-troops.txt").unlink()
    assert corpus_folder(None, tmp_path) == folder and not (folder / "nk-troops.txt").exists()  # seeded once


def test_an_added_article_is_answered_and_only_its_texts_are_embedded(library, monkeypatch):
    before = library.engine
    assert not before.answer(FISH).answered
    already = set(build.known_vectors(before.index))  # every text the index before it embedded
    reached: list[str] = []  # what reaches the model itself
    encoder, encode = before.encoder, before.encoder.encode

    def spy(texts, *args, **kwargs):
        reached.extend(texts)
        return encode(texts, *args, **kwargs)

    monkeypatch.setattr(encoder, "encode", spy)
    article, change = library.add(HARBOUR, added_by="mod")
    monkeypatch.undo()  # the questions below are encoded too; only the build is counted
    assert change.added == (article.slug,) and change.removed == ()
    added = [p for p in library.engine.index.passages if p.article == article.slug]
    its_texts = {build.context_text(p) for p in added} | {s for p in added for s in p.sentence_texts()}
    new_words = set(words(HARBOUR.title + " " + HARBOUR.text))  # its vocabulary, a vector a word
    # the calibration's questions are asked anew of every build: a fixed number, whatever the corpus
    _, near = calibration.near_topic_probes(library.engine.index)
    probes = set(calibration.OFF_TOPIC_PROBES) | set(near)
    assert its_texts <= set(reached)  # the new article was embedded...
    assert set(reached) <= its_texts | new_words | probes  # ...and nothing else
    assert not already & set(reached)  # not one text of the article indexed before
    answer = library.engine.answer(FISH)
    assert answer.answered and "price of fish doubled" in answer.sentence
    assert answer.citations[0].article == article.slug
    assert before.answer(FISH).answered is False  # the old engine was left whole, not patched


def test_a_removed_article_is_gone_from_answers_and_from_disk(library):
    article, _ = library.add(HARBOUR)
    removed, change = library.remove(article.slug)
    assert change.removed == (article.slug,) and not Path(removed.path).exists()
    answer = library.engine.answer(FISH)
    assert all(c.article != article.slug for c in answer.citations)
    assert [a.slug for a in library.articles()] == ["nk-troops"]


def test_the_last_article_and_unknown_ids_cannot_be_removed(library):
    with pytest.raises(LibraryError, match="only article"):
        library.remove("nk-troops")
    with pytest.raises(LibraryError, match="no article has the id"):
        library.remove("nope")
    assert (library.folder / "nk-troops.txt").exists()


def test_bad_files_on_disk_are_refused_and_nothing_indexed_is_lost(library):
    passages = library.engine.manifest.passages
    (library.folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (library.folder / "empty.md").write_text("   \n")
    (library.folder / "page.html").write_text("<html></html>")
    change = library.refresh()
    assert not change.changed and change.error is None
    assert library.engine.manifest.passages == passages
    reasons = {r.name: r.reason for r in change.refused}
    assert "binary" in reasons["photo.txt"] and "no text" in reasons["empty.md"]
    assert ".txt, .md and .pdf" in reasons["page.html"]


def test_an_indexed_file_spoiled_on_disk_keeps_its_last_good_version(library):
    article, _ = library.add(HARBOUR)
    Path(article.path).write_bytes("Caf\u00e9".encode("latin-1"))
    change = library.refresh()
    assert [(r.name, r.kept) for r in change.refused] == [(Path(article.path).name, True)]
    assert library.engine.answer(FISH).answered


def test_a_changed_file_is_reindexed_and_an_unchanged_folder_is_not(library):
    assert not library.refresh().changed
    article, _ = library.add(HARBOUR)
    path = Path(article.path)
    path.write_text(path.read_text().replace("the price of fish doubled", "the price of rice tripled"))
    change = library.refresh()
    assert change.updated == (article.slug,)
    assert "rice tripled" in library.engine.answer("What happened to the price of rice?").sentence


def test_a_folder_left_with_no_article_keeps_the_engine_serving(library):
    shutil.move(library.folder / "nk-troops.txt", library.folder.parent / "aside.txt")
    change = library.refresh()
    assert change.error and "no readable articles" in change.error
    assert library.engine.answer("How many troops did North Korea send?").answered


def test_a_single_file_corpus_cannot_take_articles(encoder, tmp_path):
    source = BUILTIN_CORPUS / "nk-troops.txt"
    index, _ = open_index(source, tmp_path / "index", encoder)
    library = Library(Engine(index, encoder), source, tmp_path / "index")
    with pytest.raises(LibraryError, match="single file"):
        library.add(HARBOUR)


def test_a_single_file_corpus_edited_on_disk_is_reindexed(encoder, tmp_path):
    source = tmp_path / "harbour.md"
    source.write_text("---\ntitle: Wonsan harbour\n---\nThe harbour of Wonsan froze over in March.\n")
    index, _ = open_index(source, tmp_path / "index", encoder)
    library = Library(Engine(index, encoder), source, tmp_path / "index")
    source.write_text(
        source.read_text() + "\nLocal traders said the price of fish doubled during the freeze.\n"
    )
    assert library.refresh().updated == ("harbour",)
    assert "price of fish doubled" in library.engine.answer(FISH).sentence
    source.write_bytes(b"\x00\x01")
    assert library.refresh().error and library.engine.answer(FISH).answered  # the last good index serves


def test_an_article_with_nothing_to_answer_from_is_refused_and_left_out(library):
    from index.corpus.intake import draft_from_text

    with pytest.raises(LibraryError, match="no paragraphs"):
        library.add(draft_from_text("Only a heading", "# Only a heading"))
    assert [a.slug for a in library.articles()] == ["nk-troops"]
    assert sorted(p.name for p in library.folder.iterdir()) == ["nk-troops.txt", "nk-troops.yaml"]


def test_a_failed_rebuild_leaves_the_engine_and_takes_the_added_file_out(library, monkeypatch):
    import index.library

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(index.library, "changed_index", broken)
    with pytest.raises(LibraryError, match="could not be rebuilt"):
        library.add(HARBOUR)
    assert sorted(p.name for p in library.folder.iterdir()) == ["nk-troops.txt", "nk-troops.yaml"]
    assert library.engine.answer("How many troops did North Korea send?").answered


def test_a_bad_metadata_file_refuses_its_article_not_the_folder(library):
    (library.folder / "harbour.txt").write_text("The harbour of Wonsan froze over in March.\n")
    (library.folder / "harbour.yaml").write_text("title: [unclosed\n")
    change = library.refresh()
    assert change.error is None
    assert [r.name for r in change.refused] == ["harbour.txt"] and "harbour.yaml" in change.refused[0].reason


def test_a_hidden_draft_is_not_indexed(library):
    (library.folder / ".draft.md").write_text(f"# {HARBOUR.title}\n\n{HARBOUR.text}\n")  # an editor's
    library.refresh()  # as the next change to the folder would
    assert [a.slug for a in library.articles()] == ["nk-troops"]
    assert not library.engine.answer(FISH).answered


def test_a_site_is_added_with_one_rebuild_and_its_empty_pages_refused(library, monkeypatch):
    rebuilds = []
    real = build.changed_index

    def counted(*args, **kwargs):
        rebuilds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(index_library, "changed_index", counted)
    pages = [
        Draft(
            HARBOUR.title, HARBOUR.text, "The Daily", "https://example.com/harbour", "2026-03-03", "A. Writer"
        ),
        Draft(
            "Ferries", "The ferry to Wonsan sails twice a week in summer.", url="https://example.com/ferries"
        ),
        Draft("Only a heading", "# Nothing below", url="https://example.com/empty"),
    ]
    added = library.add_many(pages, added_by="mod")
    assert [a.title for a in added.articles] == ["Wonsan harbour freezes", "Ferries"]
    assert added.refused == (("https://example.com/empty", "it has no paragraphs of text to answer from"),)
    assert len(rebuilds) == 2  # the site in one rebuild, and one more taking the empty page out
    harbour = added.articles[0]
    assert (harbour.url, harbour.source, harbour.date) == (
        "https://example.com/harbour",
        "The Daily",
        "2026-03-03",
    )
    assert "author: A. Writer" in harbour.raw and "added_by: mod" in harbour.raw
    assert library.engine.answer(FISH).answered
    assert sorted(p.name for p in library.folder.iterdir() if p.suffix == ".md") == [
        "ferries.md",
        "wonsan-harbour-freezes.md",
    ]


def test_an_article_updated_upstream_keeps_its_id_and_is_answered_anew(library):
    added = library.add_many([Draft(HARBOUR.title, HARBOUR.text, url="https://example.com/harbour")])
    (before,) = added.articles
    changed = HARBOUR.text.replace("the price of fish doubled", "the price of fish tripled")
    now, change = library.update(before.slug, Draft("Wonsan harbour thaws", changed, url=before.url))
    assert now.slug == before.slug and now.path == before.path and now.title == "Wonsan harbour thaws"
    assert change.updated == (before.slug,) and not change.added
    assert "tripled" in library.engine.answer(FISH).sentence
    assert [p.name for p in library.folder.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_an_update_that_cannot_be_indexed_puts_the_old_text_back(library):
    (before,) = library.add_many([Draft(HARBOUR.title, HARBOUR.text)]).articles
    with pytest.raises(LibraryError, match="could not be indexed"):
        library.update(before.slug, Draft(HARBOUR.title, "# Only a heading now"))
    assert Path(before.path).read_text(encoding="utf-8") == before.raw
    assert "doubled" in library.engine.answer(FISH).sentence


def test_an_add_past_max_corpus_bytes_is_refused_naming_the_cap_and_nothing_is_written(library):
    """Nothing capped the corpus (issue 22, item 4): an upload, a paste, a site or a sync past
    MAX_CORPUS_BYTES is refused with the cap named, and the folder is left as it was."""
    before = sorted(p.name for p in library.folder.iterdir())
    text = "The ferry to Rason sails twice a week in summer, the port office said. " * 20
    library.max_corpus_bytes = library.corpus_bytes() + len(text) + 1_000
    with pytest.raises(LibraryError, match=r"cap of [\d,]+ bytes \(MAX_CORPUS_BYTES\)"):
        library.add(draft_from_text("Ferries", text * 2))
    assert sorted(p.name for p in library.folder.iterdir()) == before
    added = library.add_many([draft_from_text("Ferries", text), draft_from_text("More ferries", text)])
    assert [a.title for a in added.articles] == ["Ferries"]
    assert (
        added.refused == (("More ferries", added.refused[0][1]),)
        and "MAX_CORPUS_BYTES" in added.refused[0][1]
    )
    with pytest.raises(LibraryError, match="MAX_CORPUS_BYTES"):
        library.update(added.articles[0].slug, draft_from_text("Ferries", text * 3))
