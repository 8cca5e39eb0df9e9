"""A library per server (issue 23, section 1): a server's articles are answered there and
nowhere else, ranked with the shared ones; a DM is answered from the shared library alone; an
idle server's library leaves memory past the budget; a server citebot left is purged after its
days."""

from __future__ import annotations

import time

import pytest

from index.corpus.intake import draft_from_text
from index.libraries import SHARED, Libraries, server_folder
from index.library import LibraryError
from tests.index.test_library import FISH, HARBOUR

A, B = 111, 222
FERRY = draft_from_text(
    "Ferry to Rason",
    "The ferry to Rason sails twice a week in summer, the port office said on Monday.\n\n"
    "Tickets cost about thirty dollars and are sold at the harbour gate.",
)
SAILS = "How often does the ferry to Rason sail?"
TROOPS = "How many troops did North Korea send?"


@pytest.fixture()
def libraries(library) -> Libraries:
    assert library.folder is not None
    return Libraries(library, library.folder.parent)


def cited(libraries: Libraries, server: int | None, question: str, use_shared: bool = True) -> set[str]:
    view = libraries.view(server, use_shared)
    answer = view.label(view.engine.answer(question))
    return {f"{c.library}:{c.article}" for c in answer.citations} if answer.answered else set()


def test_each_server_answers_from_its_own_articles_and_the_shared_ones_never_anothers(libraries):
    harbour, _ = libraries.add(A, HARBOUR)
    ferry, _ = libraries.add(B, FERRY)
    assert (server_folder(libraries.data_dir, A) / "articles" / f"{harbour.slug}.md").is_file()
    assert f"{A}:{harbour.slug}" in cited(libraries, A, FISH)
    assert cited(libraries, B, FISH) == set() and cited(libraries, None, FISH) == set()
    assert f"{B}:{ferry.slug}" in cited(libraries, B, SAILS)
    assert cited(libraries, A, SAILS) == set() and cited(libraries, None, SAILS) == set()
    for where in (A, B, None):  # the shared article is answered everywhere
        assert f"{SHARED}:nk-troops" in cited(libraries, where, TROOPS)
    assert [a.slug for a in libraries.view(A).engine.sources()] == ["nk-troops", harbour.slug]
    assert libraries.view(A, use_shared=False).engine.answer(TROOPS).answered is False  # shared off
    assert libraries.shared.find(harbour.slug) is None  # nothing reached the shared library


def test_a_restart_finds_every_library_whole(libraries, encoder):
    libraries.add(A, HARBOUR)
    libraries.add(B, FERRY)
    again = Libraries(libraries.shared, libraries.data_dir)
    assert again.loaded() == []  # opened on their first question, not at the start
    assert cited(again, A, FISH) and not cited(again, B, FISH)
    assert cited(again, B, SAILS) and not cited(again, A, SAILS)
    assert sorted(again.loaded()) == [A, B]


def test_a_servers_article_of_a_shared_id_stands_in_for_the_shared_one_there(libraries):
    own = draft_from_text("North Korean troops", "Our own notes: the troops trained near Wonsan in March.")
    article, _ = libraries.add(A, own)
    view = libraries.view(A)
    assert [a.slug for a in view.engine.sources()].count(article.slug) == 1
    assert {p.article for p in view.engine.index.passages} >= {article.slug}


def test_a_servers_last_article_removed_takes_its_index_and_the_shared_stays(libraries):
    harbour, _ = libraries.add(A, HARBOUR)
    with pytest.raises(LibraryError, match="no article has the id"):
        libraries.remove(B, harbour.slug)  # another server cannot remove it
    libraries.remove(A, harbour.slug)
    assert libraries.server(A) is None and cited(libraries, A, FISH) == set()
    assert any((server_folder(libraries.data_dir, A) / "articles" / "removed").iterdir())  # restorable
    assert f"{SHARED}:nk-troops" in cited(libraries, A, TROOPS)


def test_idle_libraries_leave_memory_least_recently_used_first(libraries):
    libraries.add(A, HARBOUR)
    libraries.add(B, FERRY)
    libraries.view(A)
    libraries.view(B)
    assert libraries.loaded() == [A, B]
    libraries.memory_bytes = 1  # a budget nothing fits: all but the last one used are dropped
    libraries.view(A)
    assert libraries.loaded() == [A]
    assert cited(libraries, B, SAILS)  # opened again, whole, on its next question
    assert libraries.loaded() == [B]


def test_a_server_citebot_left_is_kept_for_its_days_then_deleted(libraries):
    libraries.add(A, HARBOUR)
    libraries.add(B, FERRY)
    libraries.left(A, when=time.time() - 31 * 86_400)
    libraries.left(B, when=time.time() - 29 * 86_400)
    libraries.returned(B)  # back within its days: its library is its own again
    assert libraries.purge(30) == [A]
    assert not server_folder(libraries.data_dir, A).exists() and cited(libraries, A, FISH) == set()
    assert cited(libraries, B, SAILS)
