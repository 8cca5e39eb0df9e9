"""What the reader changes in answers, with the real model and the real reader: a who-question
quotes the sentence that names, not the one that shares the question's words."""

from __future__ import annotations

import pytest

from index.answering.engine import Engine
from index.build import open_index

PAGE = """Kessock harbour reopens after storm repairs

The harbour at Kessock reopened to boats on Monday after three weeks of storm repairs, the harbour trust said.

Fishing crews had waited since early March to return to their moorings.
"We lost a month of work," one skipper said.

The repairs were overseen by Morag Fraser, who took over as harbourmaster in 2019 after twenty years at sea.

The work cost 1.2 million pounds, paid by the council and a government fund for small ports.
"""


@pytest.fixture(scope="module")
def page_engine(tmp_path_factory: pytest.TempPathFactory, encoder) -> Engine:
    folder = tmp_path_factory.mktemp("page")
    (folder / "kessock.txt").write_text(PAGE, encoding="utf-8")
    index, _ = open_index(folder, folder / "index", encoder)
    return Engine(index, encoder)


def test_a_pages_who_question_is_answered_with_the_name(page_engine):
    answer = page_engine.answer("Who is the harbourmaster at Kessock?")
    assert answer.answered and "Morag Fraser" in answer.sentence
    assert answer.span_text == "Morag Fraser"


def test_the_reader_reads_the_naming_sentence_above_the_one_that_shares_the_words(page_engine):
    said = "The repairs were overseen by Morag Fraser, who took over as harbourmaster in 2019."
    naming, sharing = page_engine.reader.read(
        "Who is the harbourmaster at Kessock?",
        [said, "The harbour at Kessock reopened to boats on Monday after three weeks of storm repairs."],
    )
    assert naming.probability > sharing.probability
    assert said[naming.span[0] : naming.span[1]] == "Morag Fraser"


def test_without_the_reader_the_engine_still_answers_by_the_hand_made_score(page_engine):
    bare = Engine(page_engine.index, page_engine.encoder, reader=None)
    assert bare.reader is None
    assert bare.answer("When did the harbour reopen?").answered


@pytest.mark.parametrize(
    "question", ["How many North Korean soldiers have died in Kursk?", "When will the troops return home?"]
)
def test_a_near_topic_question_is_refused_with_the_reader_weighed(engine, question):
    answer = engine.answer(question)
    assert not answer.answered and answer.refusal.startswith("The article doesn't")
    assert answer.citations, "its nearest passages are still offered as leads"
