"""Reading articles: front matter, sidecars, unique slugs, and bad files refused clearly."""

import pytest

from index.corpus.articles import (
    BUILTIN_CORPUS,
    CorpusError,
    corpus_checksum,
    load_corpus,
    read_article,
    slugify,
)


def test_builtin_article_has_its_metadata_and_is_kept_as_published():
    (article,) = load_corpus()
    assert article.slug == "nk-troops"
    assert article.source == "Defence Talks"
    assert article.title and article.body_start == 0
    raw = (BUILTIN_CORPUS / "nk-troops.txt").read_bytes()
    assert article.raw.encode("utf-8") == raw
    assert not raw.endswith(b"\n") and "’".encode() in raw


def test_front_matter_gives_metadata_and_offsets_skip_it(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: T\nsource: S\nurl: http://x\ndate: 2024-01-02\n---\nBody text.", encoding="utf-8"
    )
    article = read_article(path)
    assert (article.title, article.source, article.url, article.date) == ("T", "S", "http://x", "2024-01-02")
    assert article.raw[article.body_start :] == "Body text."


def test_without_metadata_the_title_comes_from_the_file_name(tmp_path):
    path = tmp_path / "Fresno,_California.txt"
    path.write_text("Fresno is a city.", encoding="utf-8")
    article = read_article(path)
    assert article.title == "Fresno, California" and article.slug == "fresno-california"


def test_folder_articles_get_unique_slugs_in_sorted_order(tmp_path):
    (tmp_path / "b.txt").write_text("Second.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("---\nslug: b\n---\nFirst.", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    assert [a.slug for a in load_corpus(tmp_path)] == ["b", "b-2"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"text\x00with nul", "binary"),
        (b"   \n\n ", "no text"),
        (b"---\ntitle: [unclosed\n---\nBody", "bad front matter"),
    ],
)
def test_bad_single_file_is_refused_with_its_reason(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=message):
        load_corpus(path)


def test_bad_file_in_a_folder_is_skipped_and_the_rest_kept(tmp_path, caplog):
    (tmp_path / "good.txt").write_text("A good article.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe")
    assert [a.slug for a in load_corpus(tmp_path)] == ["good"]
    assert "bad.txt" in caplog.text


def test_missing_or_empty_corpus_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "nowhere")
    with pytest.raises(CorpusError, match="no readable"):
        load_corpus(tmp_path)


def test_checksum_changes_with_text_or_metadata(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("One.", encoding="utf-8")
    first = corpus_checksum(load_corpus(path))
    path.write_text("One!", encoding="utf-8")
    assert corpus_checksum(load_corpus(path)) != first


def test_slugify_handles_odd_names():
    assert slugify("Ünïcödé  Title!!") == "unicode-title"
    assert slugify("???") == "article"


def test_titles_without_latin_letters_get_distinct_stable_ids():
    korean, russian = slugify("평양 소식"), slugify("Новости Пхеньяна")
    assert korean.startswith("article-") and russian.startswith("article-") and korean != russian
    assert slugify("평양 소식") == korean and slugify("  ") == "article"
