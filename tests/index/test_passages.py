"""Passages: sections from headings, no site furniture, whole sentences, within 1,024 characters."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from index.articles import load_corpus, read_article
from index.passages import MAX_PASSAGE_CHARS, ChunkSettings, chunk_article


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
