"""Passages: sections from headings, no site furniture, whole sentences, within 1,024 characters."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from index.corpus.articles import load_corpus, read_article
from index.corpus.passages import MAX_PASSAGE_CHARS, PAGE_MARKER, ChunkSettings, Passage, chunk_article


def article_from(tmp_path: Path, text: str, name: str = "story.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_article(path)


def test_builtin_article_headings_become_sections_not_passages():
    passages = chunk_article(load_corpus()[0])
    texts = [p.text for p in passages]
    assert "INFANTRY ROLES" not in texts and "TROOPS TRAINING" not in texts
    first_infantry = next(p for p in passages if p.section == "INFANTRY ROLES")
    assert first_infantry.text == "The specific role of North Korean troops remains uncertain."
    assert passages[0].section == ""
    assert passages[-1].section == "TROOPS TRAINING"


def test_builtin_article_newsletter_footer_is_dropped():
    passages = chunk_article(load_corpus()[0])
    joined = " ".join(p.text for p in passages)
    assert "Subscribe" not in joined and "Discover more" not in joined
    assert passages[-1].text.startswith("For several months, North Korea has been supplying Russia")


def test_another_sites_footer_is_dropped_by_the_same_rule(tmp_path):
    text = (
        "The council approved the budget on Monday.\n"
        "It takes effect in March.\n"
        "Sign up for our newsletter to get the morning briefing.\n"
        "© 2024 Example Gazette. All rights reserved."
    )
    passages = chunk_article(article_from(tmp_path, text))
    assert [p.text for p in passages] == [
        "The council approved the budget on Monday.",
        "It takes effect in March.",
    ]


def test_a_paragraph_that_mentions_subscriptions_mid_article_is_kept(tmp_path):
    text = (
        "Readers can subscribe to alerts.\nThe mayor resigned on Friday after a long inquiry into spending."
    )
    passages = chunk_article(article_from(tmp_path, text))
    assert len(passages) == 2


def test_ids_places_and_offsets_point_into_the_source():
    article = load_corpus()[0]
    passages = chunk_article(article)
    assert passages[10].id == f"{article.slug}#p11"
    assert [p.paragraph for p in passages] == list(range(1, len(passages) + 1))
    for p in passages:
        assert article.raw[p.start : p.end] == p.text


def test_long_paragraph_is_split_into_sentence_windows(tmp_path):
    sentence = "The committee heard evidence from witnesses about the flood defences of the town. "
    text = "Opening line of the story.\n\n" + sentence * 30 + "\n\nClosing line of the story."
    passages = chunk_article(article_from(tmp_path, text))
    parts = [p for p in passages if p.paragraph == 2]
    assert len(parts) >= 3
    assert [p.id for p in parts] == [f"story#p2.{i}" for i in range(1, len(parts) + 1)]
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in parts)
    assert all(p.text.endswith("town.") for p in parts)


def test_markdown_front_matter_and_headings(tmp_path):
    text = (
        "---\ntitle: Harbour news\nsource: Gazette\n---\n"
        "# Ships\n\nA ship docked.\nIt was large.\n\n## Cargo\n\nIt carried grain."
    )
    article = article_from(tmp_path, text, "harbour.md")
    passages = chunk_article(article)
    assert article.title == "Harbour news" and article.source == "Gazette"
    assert [(p.section, p.text) for p in passages] == [
        ("Ships", "A ship docked.\nIt was large."),
        ("Cargo", "It carried grain."),
    ]
    assert article.raw[passages[0].start : passages[0].end] == passages[0].text


sentence_words = st.lists(
    st.sampled_from(["troops", "3,000", "U.S.", "1%", "Maj.", "“quoted,”", "said", "Kyiv"]),
    min_size=1,
    max_size=40,
)
paragraph = st.lists(sentence_words.map(lambda ws: " ".join(ws) + "."), min_size=1, max_size=30).map(" ".join)
document = st.lists(st.one_of(paragraph, st.just("SECTION HEADING")), min_size=1, max_size=12).map("\n".join)


@settings(max_examples=60, deadline=None)
@given(text=document, window=st.integers(min_value=200, max_value=1024))
def test_passages_keep_to_the_core_cap_keep_sentences_whole_and_lose_no_text(tmp_path_factory, text, window):
    folder = tmp_path_factory.mktemp("doc")
    article = article_from(folder, text)
    passages = chunk_article(article, ChunkSettings(window_chars=window))
    for p in passages:
        assert 0 < len(p.text) <= MAX_PASSAGE_CHARS
        assert article.raw[p.start : p.end] == p.text
        for a, b in p.sentences:
            assert 0 <= a < b <= len(p.text)
    body_lines = [line for line in text.split("\n") if line != "SECTION HEADING"]
    kept = "".join("".join(p.text for p in passages).split())
    assert kept == "".join("".join(body_lines).split())


def test_closing_paragraphs_that_only_mention_footer_words_are_kept(tmp_path):
    text = (
        "The library reopened.\n"
        "She said: “Read more books, and sign up for a card.”\n"
        "The court ruled that the copyright claim had expired.\n"
        "Cookies were served."
    )
    passages = chunk_article(article_from(tmp_path, text))
    assert len(passages) == 4


def test_only_real_line_breaks_separate_paragraphs(tmp_path):
    text = "Troops arrived\u2028in Kursk on Monday. They stayed.\fMore later.\nSecond paragraph."
    passages = chunk_article(article_from(tmp_path, text))
    assert [p.paragraph for p in passages] == [1, 2]
    assert passages[0].text.startswith("Troops arrived\u2028in Kursk")


def test_byte_order_mark_is_kept_so_offsets_match_the_file(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffFirst line.\nSecond line.".encode())
    article = read_article(path)
    passages = chunk_article(article)
    decoded = path.read_bytes().decode("utf-8")
    assert [decoded[p.start : p.end] for p in passages] == ["First line.", "Second line."]


PAGED = (
    "---\ntitle: Annual report\nurl: https://example.com/report\n---\n"
    "# Annual report\n\n"
    "<!-- page 1 -->\n\n"
    "First paragraph of page one.\n\n"
    "Second paragraph of page one. It has two sentences.\n\n"
    "<!-- page 2 -->\n\n"
    "A paragraph on page two.\n\n"
    "## Finances\n\n"
    "The budget grew by ten percent.\n"
    "<!-- page 3 -->\n"
    "A line straight after the marker.\n"
)


def test_page_markers_are_never_passage_text_nor_sentences(tmp_path):
    passages = chunk_article(article_from(tmp_path, PAGED, "report.md"))
    for p in passages:
        assert "<!--" not in p.text and "page 1" not in p.text
        assert not any("<!--" in s for s in p.sentence_texts())


def test_passages_of_a_paged_article_still_point_exactly_into_the_file(tmp_path):
    article = article_from(tmp_path, PAGED, "report.md")
    for p in chunk_article(article):
        assert article.raw[p.start : p.end] == p.text


def test_each_passage_carries_its_page_and_paragraphs_count_from_one_on_each_page(tmp_path):
    passages = chunk_article(article_from(tmp_path, PAGED, "report.md"))
    assert [(p.page, p.paragraph, p.text) for p in passages] == [
        (1, 1, "First paragraph of page one."),
        (1, 2, "Second paragraph of page one. It has two sentences."),
        (2, 1, "A paragraph on page two."),
        (2, 2, "The budget grew by ten percent."),  # the marker ends the paragraph
        (3, 1, "A line straight after the marker."),
    ]
    assert [p.id for p in passages] == [
        "report#pg1p1",
        "report#pg1p2",
        "report#pg2p1",
        "report#pg2p2",
        "report#pg3p1",
    ]


def test_headings_in_a_paged_article_still_make_sections(tmp_path):
    passages = chunk_article(article_from(tmp_path, PAGED, "report.md"))
    assert [p.section for p in passages] == ["Annual report"] * 3 + ["Finances"] * 2


def test_text_before_the_first_marker_has_no_page(tmp_path):
    text = "A preface.\n\n<!-- page 1 -->\n\nPage one.\n\n<!-- page 2 -->\n\nPage two."
    passages = chunk_article(article_from(tmp_path, text))
    assert [(p.page, p.paragraph, p.id) for p in passages] == [
        (None, 1, "story#p1"),
        (1, 1, "story#pg1p1"),
        (2, 1, "story#pg2p1"),
    ]


def test_a_page_seen_again_goes_on_counting_so_ids_stay_unique(tmp_path):
    text = "<!-- page 1 -->\n\nOne.\n\n<!-- page 2 -->\n\nTwo.\n\n<!-- page 1 -->\n\nThree."
    passages = chunk_article(article_from(tmp_path, text))
    assert [(p.page, p.paragraph) for p in passages] == [(1, 1), (2, 1), (1, 2)]
    assert len({p.id for p in passages}) == 3


def test_only_a_whole_line_is_a_page_marker(tmp_path):
    text = "See <!-- page 2 --> inline.\n\n <!-- page 3 -->\n\n<!-- page two -->"
    passages = chunk_article(article_from(tmp_path, text))
    assert all(p.page is None for p in passages)
    assert [p.text for p in passages] == [
        "See <!-- page 2 --> inline.",
        "<!-- page 3 -->",
        "<!-- page two -->",
    ]
    assert PAGE_MARKER.fullmatch("<!-- page 12 -->")[1] == "12"


def test_an_article_without_markers_has_no_pages_and_numbers_paragraphs_through(tmp_path):
    text = "# Ships\n\nA ship docked.\n\n## Cargo\n\nIt carried grain.\n\nIt sailed."
    passages = chunk_article(article_from(tmp_path, text, "harbour.md"))
    assert [(p.id, p.page, p.paragraph) for p in passages] == [
        ("harbour#p1", None, 1),
        ("harbour#p2", None, 2),
        ("harbour#p3", None, 3),
    ]
    assert all(p.page is None for p in chunk_article(load_corpus()[0]))


def test_a_passage_round_trips_through_json_with_and_without_a_page(tmp_path):
    for p in (
        chunk_article(article_from(tmp_path, PAGED, "report.md"))[:1] + chunk_article(load_corpus()[0])[:1]
    ):
        assert Passage.from_json(p.to_json()) == p
    stored = chunk_article(load_corpus()[0])[0].to_json()
    del stored["page"]  # a passage stored before pages were kept
    assert Passage.from_json(stored).page is None
