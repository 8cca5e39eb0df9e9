"""Answers on the built-in article: the right passage, the right sentence, honest refusals."""

import pytest

from index.words.question import MAX_QUESTION_CHARS

GOLDEN = [
    ("Who is the Pentagon's spokesperson?", "nk-troops#p10", "Patrick Ryder"),
    ("When did Russia invade Ukraine?", "nk-troops#p14", "February 2022"),
    ("What did NATO report on Monday?", "nk-troops#p2", "advancing toward the front lines"),
    ("Who wrote about leverage for the 38 North program?", "nk-troops#p12", "Gilbert Rozman"),
    (
        "What kind of partner is Moscow looking for?",
        "nk-troops#p13",
        "antagonistic to the current global order",
    ),
    ("Has Putin denied that North Korean soldiers are in Russia?", "nk-troops#p8", "has not refuted"),
    ("How does Russia avoid a second mobilization?", "nk-troops#p11", "second mobilization"),
    ("why is seoul worried", "nk-troops#p4", "Officials in Seoul"),
]

# The answer stands in a sentence that names nobody ("He added that both leaders agreed..."),
# so the passage that names both men ranks first; the answer must still be among the cited.
HARDER = [
    ("How did Zelenskiy and Yoon agree to respond?", "nk-troops#p7"),
]

OFF_TOPIC = [
    "What's a good recipe for lasagna?",
    "How do volcanoes form?",
    "Which planet has the most moons?",
    "Recommend me a podcast about gardening",
]


@pytest.mark.parametrize(("question", "passage_id", "phrase"), GOLDEN)
def test_golden_question_gets_the_right_passage_and_sentence(engine, question, passage_id, phrase):
    answer = engine.answer(question)
    assert answer.answered
    assert answer.citations[0].id == passage_id
    assert phrase in answer.sentence
    cited = next(c for c in answer.citations if c.highlight)
    a, b = cited.highlight
    assert cited.text[a:b] == answer.sentence


@pytest.mark.parametrize(("question", "passage_id"), HARDER)
def test_harder_question_has_its_passage_among_the_cited(engine, question, passage_id):
    answer = engine.answer(question)
    assert answer.answered
    assert passage_id in [c.id for c in answer.citations]


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_question_is_refused_with_the_nearest_passage_as_a_lead(engine, question):
    answer = engine.answer(question)
    assert not answer.answered
    assert answer.sentence is None
    assert answer.confidence < answer.threshold
    assert answer.citations and all(c.highlight is None for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "type a question"),
        ("   \n\t ", "type a question"),
        ("\u200b\u200d\u2060", "type a question"),
        ("<@123456789012345678>", "type a question"),
        ("?!?! ... ***", "no words"),
        ("x" * (MAX_QUESTION_CHARS + 1), "characters long"),
    ],
)
def test_bad_question_gets_a_clear_message_and_no_citations(engine, question, message):
    answer = engine.answer(question)
    assert not answer.answered and answer.citations == ()
    assert message in answer.error


def test_mentions_markdown_and_odd_unicode_do_not_change_the_answer(engine):
    plain = engine.answer("When did Russia invade Ukraine?")
    noisy = engine.answer("<@!42> **When** did Russia\u200b invade　Ukraine？ @everyone")
    assert noisy.question.startswith("**When** did Russia invade Ukraine?")
    assert noisy.citations[0].id == plain.citations[0].id
    assert noisy.sentence == plain.sentence


def test_results_count_is_respected_and_ranks_are_consecutive(engine):
    for k in (1, 3, 5):
        answer = engine.answer("What did the Pentagon say?", k=k)
        assert [c.rank for c in answer.citations] == list(range(1, k + 1))


def test_timings_are_reported(engine):
    answer = engine.answer("Where are North Korean troops training?")
    assert answer.elapsed_ms > 0
    assert {"encode_ms", "search_ms", "total_ms"} <= set(answer.timings)


def test_threshold_override_turns_answers_into_refusals(engine):
    from index.answering.engine import Engine

    strict = Engine(engine.index, engine.encoder, threshold=0.99)
    assert not strict.answer("When did Russia invade Ukraine?").answered


def test_the_answer_does_not_depend_on_how_many_passages_are_cited(engine):
    question = "What share of Russia's military strength would the North Korean troops be?"
    sentences = {engine.answer(question, k=k).sentence for k in (1, 2, 3, 5)}
    assert len(sentences) == 1
    one = engine.answer(question, k=1)
    assert len(one.citations) == 1 and one.citations[0].highlight is not None


def test_corpus_with_nothing_but_furniture_is_refused(tmp_path, encoder):
    from index.build import open_index
    from index.corpus.articles import CorpusError

    path = tmp_path / "empty.txt"
    path.write_text("BREAKING NEWS\nSubscribe to our newsletter.", encoding="utf-8")
    with pytest.raises(CorpusError, match="no article text"):
        open_index(path, tmp_path / "index", encoder)


def test_answering_several_at_once_gives_each_the_answer_it_gets_alone(engine):
    questions = ["Who visited Russia on Tuesday?", "", "How do I bake bread?"]
    questions.append("What did the Pentagon confirm?")
    together = engine.answer_many(questions, [3, 3, 2, 1])
    alone = [engine.answer(q, k) for q, k in zip(questions, [3, 3, 2, 1], strict=True)]
    assert [a.error for a in together] == [a.error for a in alone]
    assert together[1].error and not together[0].error
    for a, b in zip(together, alone, strict=True):
        assert [c.id for c in a.citations] == [c.id for c in b.citations]
        assert a.answered == b.answered
        assert a.confidence == pytest.approx(b.confidence, abs=1e-4)


REPORT = (
    "---\ntitle: Harbour authority annual report\nurl: https://example.com/report\n---\n"
    "# Harbour authority annual report\n\n"
    "<!-- page 1 -->\n\n"
    "The harbour authority looks after the port of Wonsan and its lighthouses.\n\n"
    "Its board meets four times a year to set fees for ships.\n\n"
    "<!-- page 2 -->\n\n"
    "## Finances\n\n"
    "Revenue from port fees rose to 12 million euros in 2023.\n\n"
    "The new icebreaker cost 4 million euros and arrived in November.\n"
)


def test_a_citation_from_a_paged_article_with_a_url_carries_its_page_and_url(tmp_path, encoder):
    from index.answering.engine import Engine
    from index.build import open_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "report.md").write_text(REPORT, encoding="utf-8")
    (corpus / "plain.md").write_text(
        "---\ntitle: Fishing news\n---\nTrawlers landed a record catch of cod this spring.\n",
        encoding="utf-8",
    )
    index, _ = open_index(corpus, tmp_path / "index", encoder)
    engine = Engine(index, encoder)
    answer = engine.answer("How much did the new icebreaker cost?", k=5)
    first = answer.citations[0]
    assert first.id == "report#pg2p2" and "icebreaker cost" in first.text
    assert first.page == 2 and first.paragraph == 2
    assert first.url == "https://example.com/report"
    assert answer.answered and first.quoted == first.highlight  # the link points at the answer
    plain = next(c for c in answer.citations if c.article == "plain")
    assert plain.page is None and plain.url == "" and plain.paragraph == 1
    other = next(c for c in answer.citations if c.article == "report" and c.highlight is None)
    assert other.quoted == (0, len(other.text))  # its first (and only) sentence
