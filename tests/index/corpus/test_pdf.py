"""PDFs as articles: text by page under page markers, paragraphs rebuilt, and refusals in one line."""

import io
import threading
import time

import pypdf
import pytest

from index.corpus import pdf
from index.corpus.pdf import MAX_PDF_BYTES, PAGE_MARKER, PdfError, PdfText, paragraphs, pdf_to_markdown
from index.errors import CitebotError
from tests.index.web.pdfs import pdf_bytes

WIDE = "The council voted on Tuesday to close the old bridge to lorries from"


def test_a_page_of_text_becomes_a_titled_markdown_article():
    got = pdf_to_markdown(pdf_bytes([["The bridge closes in May."]], title="Bridge"), "b.pdf")
    assert got == PdfText(
        title="Bridge", markdown="# Bridge\n\n<!-- page 1 -->\n\nThe bridge closes in May.\n", pages=1
    )


def test_each_page_has_its_marker_and_its_paragraphs():
    pages = [
        [WIDE, "next spring, after the engineers' report.", "It was close.", "The vote was seven to"],
        ["five; two members were absent."],
    ]
    got = pdf_to_markdown(pdf_bytes(pages), "vote.pdf")
    assert got.markdown == (
        "# vote\n\n<!-- page 1 -->\n\n"
        f"{WIDE} next spring, after the engineers' report.\n\nIt was close.\n\nThe vote was seven to\n\n"
        "<!-- page 2 -->\n\nfive; two members were absent.\n"
    )
    assert got.pages == 2


def test_a_word_hyphenated_at_a_line_end_is_joined_back():
    got = pdf_to_markdown(pdf_bytes([[WIDE + " exam-", "ple, the Anglo-", "Saxon crossing."]]), "h.pdf")
    assert f"{WIDE} example, the Anglo-Saxon crossing." in got.markdown


def test_a_page_with_no_text_has_only_its_marker():
    got = pdf_to_markdown(pdf_bytes([["One."], [], ["Three."]]), "gap.pdf")
    assert "<!-- page 1 -->\n\nOne.\n\n<!-- page 2 -->\n\n<!-- page 3 -->\n\nThree.\n" in got.markdown


def test_page_markers_are_found_by_the_exported_pattern_and_text_cannot_forge_one():
    got = pdf_to_markdown(pdf_bytes([["<!-- page 9 -->"], ["# not a heading"]]), "forged.pdf")
    assert [int(n) for n in PAGE_MARKER.findall(got.markdown)] == [1, 2]
    assert "\n\\# not a heading\n" in got.markdown


def test_the_title_comes_from_the_metadata():
    assert pdf_to_markdown(pdf_bytes([["Text."]], title="  The (Annual)\tReport "), "x.pdf").title == (
        "The (Annual) Report"
    )


def test_without_a_title_the_file_name_is_the_title():
    assert (
        pdf_to_markdown(pdf_bytes([["Text."]]), "reports/annual_report_2026.pdf").title
        == "annual report 2026"
    )
    assert pdf_to_markdown(pdf_bytes([["Text."]], title=""), "b.pdf").title == "b"


def test_a_pdf_of_drawings_has_no_text_layer():
    with pytest.raises(PdfError, match=r"scan\.pdf has no text layer \(a scanned PDF\?\)"):
        pdf_to_markdown(pdf_bytes([["x"], ["y"]], drawing_only=True), "scan.pdf")


def test_a_pdf_of_empty_pages_has_no_text_layer():
    with pytest.raises(PdfError, match="no text layer"):
        pdf_to_markdown(pdf_bytes([[], []]), "empty.pdf")


def test_a_file_over_the_cap_is_refused_before_it_is_read():
    with pytest.raises(PdfError, match="too large"):
        pdf_to_markdown(b"x" * (MAX_PDF_BYTES + 1), "big.pdf")


def test_the_byte_cap_applies_to_a_valid_pdf(monkeypatch):
    data = pdf_bytes([["Text."]])
    monkeypatch.setattr(pdf, "MAX_PDF_BYTES", len(data) - 1)
    with pytest.raises(PdfError, match=f"too large: {len(data):,} bytes"):
        pdf_to_markdown(data, "a.pdf")


def test_bytes_that_are_not_a_pdf_are_refused():
    with pytest.raises(PdfError, match=r"^notes\.pdf is not a PDF$"):
        pdf_to_markdown(b"<html><body>not a pdf</body></html>", "notes.pdf")


def test_a_damaged_pdf_is_refused():
    with pytest.raises(PdfError, match="damaged PDF"):
        pdf_to_markdown(b"%PDF-1.4\n" + bytes(range(256)) * 4, "broken.pdf")


def test_too_many_pages_are_refused(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PDF_PAGES", 2)
    with pytest.raises(PdfError, match="has 3 pages; PDFs of 2 pages at most"):
        pdf_to_markdown(pdf_bytes([["a."], ["b."], ["c."]]), "long.pdf")


@pytest.fixture
def flattened(monkeypatch) -> list[int]:
    """Each time pypdf flattens a page tree (what costs seconds on a PDF of 100,000 pages)."""
    calls: list[int] = []
    real = pypdf.PdfReader._flatten

    def counted(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pypdf.PdfReader, "_flatten", counted)
    return calls


def test_a_page_count_over_the_cap_is_refused_from_the_root_before_the_tree_is_flattened(
    monkeypatch, flattened
):
    monkeypatch.setattr(pdf, "MAX_PDF_PAGES", 2)
    with pytest.raises(PdfError, match="has 3 pages; PDFs of 2 pages at most"):
        pdf_to_markdown(pdf_bytes([["a."], ["b."], ["c."]]), "long.pdf")
    assert flattened == []


def test_a_root_that_understates_its_pages_is_caught_by_a_walk_that_stops_past_the_cap(
    monkeypatch, flattened
):
    monkeypatch.setattr(pdf, "MAX_PDF_PAGES", 2)
    with pytest.raises(PdfError, match="has more than 2 pages"):
        pdf_to_markdown(pdf_bytes([["a."], ["b."], ["c."]], count=1), "liar.pdf")
    assert flattened == []
    assert "b." in pdf_to_markdown(pdf_bytes([["a."], ["b."]], count=1), "short.pdf").markdown
    assert flattened  # within the cap, pypdf reads the pages as before


def test_a_pdf_locked_with_a_password_is_refused():
    with pytest.raises(PdfError, match="protected by a password"):
        pdf_to_markdown(encrypted(pdf_bytes([["Secret text."]]), user_password="secret"), "locked.pdf")


def test_a_pdf_locked_only_against_copying_is_read():
    data = encrypted(pdf_bytes([["Open text."]]), user_password="")
    assert "Open text." in pdf_to_markdown(data, "open.pdf").markdown


def test_reading_past_the_time_limit_is_refused(monkeypatch):
    monkeypatch.setattr(pdf, "PDF_SECONDS", 0)
    with pytest.raises(PdfError, match="took too long to read"):
        pdf_to_markdown(pdf_bytes([["a."], ["b."], ["c."]]), "slow.pdf")


def test_a_page_that_never_ends_is_not_waited_for(monkeypatch):
    release = threading.Event()

    def stuck(text: str) -> list[str]:
        release.wait(10)
        return [text]

    monkeypatch.setattr(pdf, "PDF_SECONDS", 0.3)
    monkeypatch.setattr(pdf, "paragraphs", stuck)
    started = time.monotonic()
    try:
        with pytest.raises(PdfError, match="took too long"):
            pdf_to_markdown(pdf_bytes([["a."], ["b."]]), "stuck.pdf")
        assert time.monotonic() - started < 3
    finally:
        release.set()


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage\n\nmore", b"%PDF-1.7\n%%EOF", pdf_bytes([[]], drawing_only=True)],
)
def test_every_refusal_is_one_line_and_a_citebot_error(data):
    with pytest.raises(CitebotError) as caught:
        pdf_to_markdown(data, "folder/file.pdf")
    assert caught.value.user_message and "\n" not in caught.value.user_message


def test_a_blank_line_ends_a_paragraph():
    assert paragraphs("one line\nand its end\n\nanother") == ["one line and its end", "another"]


def test_a_short_line_ending_a_sentence_ends_a_paragraph_and_a_long_one_does_not():
    text = f"{WIDE}.\nnext line of it. Done.\nA new paragraph"
    assert paragraphs(text) == [f"{WIDE}. next line of it. Done.", "A new paragraph"]


def test_spaces_and_control_characters_are_tidied():
    assert paragraphs("  a\x00  b \t c\x0c \n") == ["a b c"]


def encrypted(data: bytes, *, user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
