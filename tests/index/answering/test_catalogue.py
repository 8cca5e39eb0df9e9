"""The catalogue: topics, the first id, and passages found by what is typed."""

from __future__ import annotations

from index.answering.catalogue import catalogue
from index.corpus.passages import Passage


def passage(n: int, text: str = "Words.", section: str = "", title: str = "An article") -> Passage:
    return Passage(f"a#p{n}", "a", title, section, n, 1, 0, len(text), text, ((0, len(text)),))


def test_topics_are_sections_first_seen_first_else_titles():
    sections = [
        passage(1),
        passage(2, section="INFANTRY ROLES"),
        passage(3, section="Training"),
        passage(4, section="infantry roles"),
    ]
    assert catalogue(sections).topics == ("infantry roles", "training")
    assert catalogue([passage(1), passage(2)]).topics == ("An article",)
    assert catalogue([]).topics == () and catalogue([]).first_id is None


def test_typed_text_finds_each_passage_once_in_order_whatever_its_case_and_spacing():
    found = catalogue(
        [passage(1, "North  Korean troops."), passage(2, "Nothing here."), passage(3, "korean korean")]
    )
    assert found.matching("KOREAN   troops") == [0]
    assert found.matching("korean") == [0, 2]
    assert found.matching("a#p2") == [1]  # ids are searched too
    assert found.matching("") == [0, 1, 2] and found.matching("", limit=2) == [0, 1]
    assert found.matching("troops. nothing") == found.matching("troops.\x00nothing") == []  # never across two
    assert found.matching("korean", limit=1) == [0]


def test_a_big_corpus_is_searched_in_one_pass_of_its_text():
    passages = [passage(n, f"paragraph {n} " + "filler " * 60) for n in range(5_000)]
    found = catalogue(passages)
    assert found.matching("paragraph 4999 ") == [4999]
    assert len(found.matching("filler")) == 25
