"""Rendering: one card for every surface, escaped, highlighted, and within Discord's limits."""

from dataclasses import replace
from urllib.parse import unquote

import pytest

from bot.render.answer import (
    NOT_COVERED,
    fragment_link,
    place,
    render_card,
    render_json,
    render_page,
    render_passages,
)
from bot.render.card import LIMITS, escape, render_text, total_chars
from bot.render.help import example_questions, render_help
from index.answering.answer import Answer, Citation
from index.corpus.passages import Passage


def citation(rank=1, text="Plain text.", highlight=None, section="INFANTRY ROLES", paragraph=3) -> Citation:
    return Citation(
        id=f"a#p{paragraph}",
        rank=rank,
        text=text,
        score=0.5,
        article="a",
        article_title="An article",
        source="Defence Talks",
        section=section,
        paragraph=paragraph,
        highlight=highlight,
    )


def answer(question="Who?", citations=(), sentence=None, answered=True, error=None) -> Answer:
    return Answer(question, answered, sentence, tuple(citations), 0.8, 0.25, {"total_ms": 3.0}, error)


def within_limits(card) -> bool:
    return (
        len(card.title) <= LIMITS["title"]
        and len(card.description) <= LIMITS["description"]
        and len(card.footer) <= LIMITS["footer"]
        and len(card.fields) <= LIMITS["fields"]
        and all(
            len(f.name) <= LIMITS["field_name"] and len(f.value) <= LIMITS["field_value"] for f in card.fields
        )
        and total_chars(card) <= LIMITS["total"]
    )


def test_answer_card_quotes_the_sentence_cites_it_and_bolds_it_in_its_passage():
    text = "First sentence here. The answer is this one. Last one."
    c = citation(text=text, highlight=(21, 44))
    card = render_card(answer(citations=[c], sentence="The answer is this one."))
    assert card.description == "> The answer is this one. [1]"
    assert card.fields[0].name == "[1] Infantry Roles · ¶3"
    assert card.fields[0].value == "First sentence here. **The answer is this one.** Last one."
    assert card.footer == "An article · Defence Talks · high confidence"


def test_not_covered_card_says_so_and_shows_the_nearest_passage_as_a_lead():
    card = render_card(answer(citations=[citation()], answered=False))
    assert card.description.startswith(NOT_COVERED)
    assert card.fields[0].name.startswith("Nearest passage (low confidence)")
    assert "**" not in card.fields[0].value
    assert card.footer.endswith("not covered")


def test_passage_without_a_section_is_placed_in_the_introduction():
    card = render_card(answer(citations=[citation(section="")], sentence=None, answered=False))
    assert "Introduction · ¶3" in card.fields[0].name


def test_markdown_and_mass_mentions_in_the_article_are_shown_as_typed():
    text = "**Bold** claim by @everyone with `code`, ~~strike~~ and _under_ | pipes. Second."
    c = citation(text=text, highlight=(len(text) - 7, len(text)))
    card = render_card(answer(citations=[c], sentence="Second."))
    value = card.fields[0].value
    assert value.startswith(
        r"\*\*Bold\*\* claim by @everyone with \`code\`, \~\~strike\~\~ and \_under\_ \| pipes."
    )
    assert value.endswith("**Second.**")


def test_huge_question_and_passages_are_cut_to_every_limit():
    long_text = "A sentence that goes on. " * 60
    cs = [citation(rank=i, text=long_text, highlight=(0, 24) if i == 1 else None) for i in range(1, 31)]
    card = render_card(answer(question="why " * 1250, citations=cs, sentence="A sentence that goes on."))
    assert len("why " * 1250) == 5000
    assert within_limits(card)
    assert card.title.endswith("…")
    assert card.fields[0].value.startswith("**A sentence that goes on.**")


def test_highlight_deep_in_a_long_passage_survives_the_cut():
    text = "Filler words here. " * 80 + "The key fact."
    c = citation(text=text, highlight=(len(text) - 13, len(text)))
    card = render_card(answer(citations=[c], sentence="The key fact."))
    assert "**The key fact.**" in card.fields[0].value
    assert within_limits(card)


def test_error_card_shows_the_message_only():
    card = render_card(answer(question="", answered=False, error="Please type a question about the article."))
    assert card.description == "Please type a question about the article."
    assert card.fields == ()


def test_text_rendering_carries_the_same_words_as_the_card():
    c = citation(text="One. Two.", highlight=(5, 9))
    card = render_card(answer(citations=[c], sentence="Two."))
    text = render_text(card)
    for part in (card.title, card.description, card.fields[0].name, card.fields[0].value, card.footer):
        assert part in text


def test_json_protocol_has_exactly_the_scorer_fields():
    c = citation(text="One. Two.", highlight=(5, 9))
    out = render_json(answer(question="Q?", citations=[c], sentence="Two."))
    assert set(out) == {"question", "answered", "answer", "answer_span", "refusal", "passages", "elapsed_ms"}
    passage_fields = {"id", "rank", "text", "score", "doc", "section", "paragraph", "page", "url", "library"}
    assert set(out["passages"][0]) == passage_fields and out["passages"][0]["library"] == "shared"
    assert out["answer"] == "Two." and out["passages"][0]["text"] == "One. Two."
    assert out["passages"][0]["url"] is None and out["passages"][0]["page"] is None
    refused = render_json(answer(question="", answered=False, error="Please type."))
    assert refused["answered"] is False and refused["answer"] is None and refused["error"] == "Please type."
    assert refused["refusal"] == "Please type."  # the message shown


def test_escape_collapses_whitespace_and_protects_line_starts():
    assert escape("> quoted\n\n# heading") == r"\> quoted # heading"


def test_mentions_and_masked_links_in_the_article_are_shown_as_typed():
    assert escape("<@123> and [click](https://example.org)") == r"\<@123> and \[click\](https://example.org)"


def test_fields_name_the_article_when_several_are_cited():
    a = citation(rank=1, text="One.", highlight=(0, 4))
    b = Citation(
        **{**a.__dict__, "id": "b#p1", "rank": 2, "article": "b", "article_title": "Other", "highlight": None}
    )
    card = render_card(answer(citations=[a, b], sentence="One."))
    assert card.fields[0].name == "[1] An article · Infantry Roles · ¶3"
    assert card.fields[1].name == "[2] Other · Infantry Roles · ¶3"


def test_a_page_shows_the_passages_after_those_already_shown():
    cites = [citation(rank=n, paragraph=n, highlight=(0, 6) if n == 1 else None) for n in range(1, 7)]
    card = render_page(answer(citations=cites, sentence="Plain."), 3)
    assert [f.name.split("]")[0] for f in card.fields] == ["[4", "[5", "[6"]
    assert card.description.startswith("> Plain.") and card.footer.endswith("passages 4–6")
    assert render_page(answer(citations=cites, sentence="Plain."), 0) == render_card(
        answer(citations=cites, sentence="Plain.")
    )


def passage(n: int, text: str = "Words.", section: str = "") -> Passage:
    return Passage(
        f"a#p{n}", "a", "An @everyone article", section, n, 1, 0, len(text), text, ((0, len(text)),)
    )


def test_a_passage_card_bolds_the_one_asked_for_among_its_neighbours():
    card = render_passages([passage(1), passage(2, "The **one** @here."), passage(3)], "a#p2")
    assert [f.name.startswith("▶") for f in card.fields] == [False, True, False]
    assert card.fields[1].value == "**The \\*\\*one\\*\\* @here.**"
    assert card.icon == "📄" and within_limits(card)


def test_a_passage_card_stays_within_limits_with_huge_passages():
    card = render_passages([passage(n, "[x](y) " * 500) for n in range(1, 4)], "a#p2")
    assert within_limits(card) and card.fields[1].value.endswith("**")


def test_example_questions_ask_about_the_catalogues_topics():
    assert example_questions(("infantry roles", "training")) == [
        "What does the article say about infantry roles?",
        "What does the article say about training?",
    ]
    help_card = render_help(example_questions(("An @everyone article",)))
    assert "@everyone" in help_card.fields[0].value and within_limits(help_card)


def test_the_span_that_answers_is_bold_in_the_quote_and_underlined_in_the_passage():
    text = "Intro here. The spokesperson is Patrick Ryder, a general. End."
    sentence = "The spokesperson is Patrick Ryder, a general."
    start = text.index(sentence)
    name = (text.index("Patrick Ryder"), text.index("Patrick Ryder") + len("Patrick Ryder"))
    c = Citation(
        **{**citation(text=text, highlight=(start, start + len(sentence))).__dict__, "answer_span": name}
    )
    a = Answer(
        "Who?",
        True,
        sentence,
        (c,),
        0.9,
        0.2,
        {"total_ms": 1.0},
        answer_span=(name[0] - start, name[1] - start),
    )
    card = render_card(a)
    assert card.description == "> The spokesperson is **Patrick Ryder**, a general. [1]"
    assert card.fields[0].value == "Intro here. **The spokesperson is __Patrick Ryder__, a general.** End."
    out = render_json(a)
    assert out["answer"] == sentence and out["answer_span"] == "Patrick Ryder" and out["refusal"] is None


def test_a_refusal_names_what_is_missing_on_the_card_and_in_json():
    a = Answer(
        "What time is it in Tokyo?",
        False,
        None,
        (citation(),),
        0.01,
        0.2,
        {"total_ms": 1.0},
        refusal="The article doesn't mention Tokyo.",
    )
    card = render_card(a)
    assert card.description.startswith("The article doesn't mention Tokyo. The nearest passage")
    out = render_json(a)
    assert out["refusal"] == "The article doesn't mention Tokyo." and out["answer"] is None
    assert out["answer_span"] is None


def test_a_question_read_with_its_spelling_put_right_says_so():
    a = Answer(
        "who is the forign minister",
        True,
        "Choe.",
        (citation(text="Choe.", highlight=(0, 5)),),
        0.9,
        0.2,
        {"total_ms": 1.0},
        read_as="who is the foreign minister",
    )
    assert render_card(a).footer.endswith("read as: who is the foreign minister")


REPORT = "https://example.com/report"


def test_a_passage_on_a_page_is_placed_by_page_and_paragraph():
    c = replace(citation(paragraph=1), page=2)
    assert place(c) == "Infantry Roles · p. 2 ¶1"
    assert (
        render_card(answer(citations=[c], sentence="Plain text.")).fields[0].name
        == "[1] Infantry Roles · p. 2 ¶1"
    )
    assert place(citation(paragraph=1)) == "Infantry Roles · ¶1"


def test_a_passage_card_names_the_page_of_a_paged_passage():
    p = Passage("r#pg4p2", "r", "Report", "", 2, 1, 0, 5, "Text.", ((0, 5),), page=4)
    assert "p. 4 ¶2" in render_passages([p], p.id).fields[0].name


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/report",
        "data:text/html,<b>hi</b>",
        "file:///etc/passwd",
        "https://user:pw@example.com/report",
        "https://exa mple.com/report",
        "https://example.com/re\nport",
        "https://example.com:notaport/",
        "//example.com/report",
        "example.com/report",
        "",
    ],
)
def test_fragment_links_are_made_for_http_and_https_addresses_only(url):
    assert fragment_link(url, "The harbour froze.") is None


def test_a_fragment_link_names_a_long_sentence_by_its_first_and_last_four_words():
    sentence = "The harbour of Wonsan froze over in March, officials said on Tuesday."
    link = fragment_link(REPORT, sentence)
    assert link == REPORT + "#:~:text=The%20harbour%20of%20Wonsan,officials%20said%20on%20Tuesday."


def test_a_fragment_link_names_a_short_sentence_whole():
    assert fragment_link("http://example.com/r", "It froze.") == "http://example.com/r#:~:text=It%20froze."


def test_a_fragment_link_drops_the_addresss_own_fragment():
    link = fragment_link(REPORT + "#section-2", "It froze.")
    assert link == REPORT + "#:~:text=It%20froze."


def test_a_fragment_link_encodes_what_would_break_the_markdown_link():
    link = fragment_link("https://example.com/a report (2024)/<x>", "It froze.")
    assert link.startswith("https://example.com/a%20report%20%282024%29/%3Cx%3E#:~:text=")
    assert not any(ch in link for ch in " ()<>")


def test_a_fragment_links_words_encode_the_specs_separators():
    link = fragment_link(REPORT, "Fees, taxes & long-term debts rose.")
    fragment = link.split("#:~:text=", 1)[1]
    assert fragment == "Fees%2C%20taxes%20%26%20long%2Dterm%20debts%20rose."
    assert "," not in fragment and "-" not in fragment and "&" not in fragment
    assert unquote(fragment) == "Fees, taxes & long-term debts rose."


def linked(text=None, highlight=None, url=REPORT):
    return replace(citation(text=text or "Plain text.", highlight=highlight), url=url)


def test_a_citation_with_a_url_links_to_its_sentence_in_the_field_value():
    text = "First sentence here. The answer is this one. Last one."
    c = replace(linked(text, (21, 44)), quoted=(21, 44))
    card = render_card(answer(citations=[c], sentence="The answer is this one."))
    value = card.fields[0].value
    assert value.endswith(f"[Read at example.com]({REPORT}#:~:text=The%20answer%20is%20this%20one.)")
    assert "](" not in card.fields[0].name  # Discord shows no links in a field's name


def test_a_citation_without_a_quoted_span_links_to_what_it_highlights_or_its_text():
    c = linked("One. Two.", (5, 9))
    assert render_card(answer(citations=[c], sentence="Two.")).fields[0].value.endswith("#:~:text=Two.)")


def test_the_link_is_never_cut_the_long_quote_is():
    c = linked("word " * 400, (0, 50))
    card = render_card(answer(citations=[c], sentence="word " * 10))
    value = card.fields[0].value
    assert len(value) <= LIMITS["field_value"] and within_limits(card)
    assert value.splitlines()[-1].startswith("[Read at example.com](https://example.com/report#:~:text=")
    assert value.endswith(")") and "…" in value


def test_no_link_without_a_url_or_with_a_bad_one():
    for url in ("", "javascript:alert(1)"):
        card = render_card(answer(citations=[linked(url=url)], sentence="Plain text."))
        assert "](" not in card.fields[0].value


def test_the_nearest_passage_of_a_refusal_links_too():
    card = render_card(answer(citations=[linked()], answered=False))
    assert "(https://example.com/report#:~:text=Plain%20text.)" in card.fields[0].value


def test_a_further_page_of_passages_links_each_one():
    cs = [replace(linked(), rank=i, id=f"a#p{i}") for i in range(1, 4)]
    page = render_page(answer(citations=cs, sentence="Plain text."), 1)
    assert all(f.value.endswith("#:~:text=Plain%20text.)") for f in page.fields)


def test_the_text_rendering_shows_the_address_plainly():
    text = render_text(render_card(answer(citations=[linked()], sentence="Plain text.")))
    assert "Read at example.com: https://example.com/report#:~:text=Plain%20text." in text
    assert "](" not in text


def test_json_gives_each_passage_its_url_and_page():
    c = replace(linked(), page=3)
    out = render_json(answer(citations=[c], sentence="Plain text."))["passages"][0]
    assert out["url"] == REPORT and out["page"] == 3


def test_a_follow_up_says_what_it_was_read_with(engine):
    from dataclasses import replace

    from bot.render.answer import render_card, render_json

    asked = engine.answer("Is Putin meeting her? (north korea foreign minister)")
    answer = replace(
        asked, question="Is Putin meeting her?", following="Who is North Korea's foreign minister?"
    )
    card = render_card(answer)
    assert card.title.startswith("Is Putin meeting her?")
    assert "following: Who is North Korea's foreign minister?" in card.footer
    assert render_json(answer)["following"] == "Who is North Korea's foreign minister?"
    assert "following" not in render_json(asked)
