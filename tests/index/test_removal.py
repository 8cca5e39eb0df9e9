"""Removing an article: its files set aside in the removed folder (never deleted), restorable by
putting them back, and a removal pinned to the version of the file it was asked for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.corpus.intake import draft_from_text
from index.corpus.removed import REMOVED_FOLDER, removal_pin, removed_articles
from index.library import LibraryError

HARBOUR = draft_from_text(
    "Wonsan harbour freezes",
    "The harbour of Wonsan froze over in March, officials said on Tuesday.\n\n"
    "Local traders said the price of fish doubled during the freeze.",
)
OTHER_HARBOUR = draft_from_text(
    "Wonsan harbour freezes",
    "A second report: the harbour of Wonsan stayed open all winter.\n\n"
    "Ferries ran on time and traders sold squid at the usual price.",
)
FISH = "What happened to the price of fish in Wonsan?"


def test_a_removed_article_is_set_aside_not_deleted(library):
    article, _ = library.add(HARBOUR)
    name = Path(article.path).name
    removed, change = library.remove(article.slug)
    assert change.removed == (article.slug,) and not (library.folder / name).exists()
    kept = list((library.folder / REMOVED_FOLDER).glob(f"*/{name}"))
    assert len(kept) == 1 and "price of fish doubled" in kept[0].read_text()
    listed = removed_articles(library.folder)
    assert [(r.slug, r.files) for r in listed] == [(article.slug, (name,))]
    assert listed[0].folder == f"{REMOVED_FOLDER}/{kept[0].parent.name}"


def test_a_removed_article_is_restored_by_moving_its_files_back(library):
    article, _ = library.add(HARBOUR)
    library.remove(article.slug)
    assert not library.engine.answer(FISH).answered
    (entry,) = removed_articles(library.folder)
    for name in entry.files:
        shutil.move(library.folder / entry.folder / name, library.folder / name)
    assert library.refresh().added == (article.slug,)
    assert "price of fish doubled" in library.engine.answer(FISH).sentence
    assert removed_articles(library.folder) == []  # an emptied entry is no longer listed


def test_a_metadata_file_goes_with_its_article(library):
    (library.folder / "harbour.txt").write_text(HARBOUR.text + "\n")
    (library.folder / "harbour.yaml").write_text("title: Wonsan harbour freezes\n")
    library.refresh()
    library.remove("harbour")
    (entry,) = removed_articles(library.folder)
    assert entry.files == ("harbour.txt", "harbour.yaml")
    assert sorted(p.name for p in library.folder.iterdir() if p.is_file()) == [
        "nk-troops.txt",
        "nk-troops.yaml",
    ]


def test_two_removals_of_the_same_name_keep_both(library):
    for _ in range(2):
        article, _ = library.add(HARBOUR)
        library.remove(article.slug)
    assert len(removed_articles(library.folder)) == 2


def test_a_removal_pinned_to_an_earlier_file_with_that_id_is_refused(library):
    first, _ = library.add(HARBOUR)
    pin = removal_pin(first)
    library.remove(first.slug, pin)
    second, _ = library.add(OTHER_HARBOUR)
    assert second.slug == first.slug and removal_pin(second) != pin
    with pytest.raises(LibraryError, match="changed"):
        library.remove(second.slug, pin)
    assert Path(second.path).exists() and library.find(second.slug) is not None


def test_a_failed_rebuild_puts_the_removed_files_back(library):
    article, _ = library.add(HARBOUR)
    index_dir = library.index_dir
    shutil.move(index_dir, index_dir.with_name("index-aside"))
    index_dir.write_text("not a folder")  # the new index cannot be saved
    try:
        with pytest.raises(LibraryError, match="not removed"):
            library.remove(article.slug)
    finally:
        index_dir.unlink()
        shutil.move(index_dir.with_name("index-aside"), index_dir)
    assert Path(article.path).exists() and removed_articles(library.folder) == []
    assert "price of fish doubled" in library.engine.answer(FISH).sentence
