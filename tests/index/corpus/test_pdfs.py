"""A PDF dropped into the corpus folder is answered from, with its page in the citation; made
again only when it changes; a PDF that cannot be read is refused with its reason."""

from __future__ import annotations

from index.corpus.pdfs import HASH_KEY, convert_pdfs
from tests.index.web.pdfs import pdf_bytes

REPORT = [
    ["Annual harbour report."],
    ["The harbour of Wonsan froze over in March.", "Icebreakers worked for three weeks."],
    ["Local traders said the price of fish doubled during the freeze."],
]
FISH = "What happened to the price of fish in Wonsan?"


def test_a_pdf_in_the_folder_is_answered_with_its_page(library):
    (library.folder / "report.pdf").write_bytes(pdf_bytes(REPORT, title="Harbour report"))
    change = library.refresh()
    assert change.added == ("report",)  # its id is the file's name, as for any article
    made = library.folder / "report.md"
    assert made.exists() and HASH_KEY in made.read_text(encoding="utf-8")
    answer = library.engine.answer(FISH)
    assert answer.answered and "doubled" in answer.sentence
    assert answer.citations[0].page == 3


def test_an_unchanged_pdf_is_not_read_again_and_a_changed_one_is(library):
    pdf = library.folder / "report.pdf"
    pdf.write_bytes(pdf_bytes(REPORT, title="Harbour report"))
    assert convert_pdfs(library.folder) == []
    made = library.folder / "report.md"
    first = made.stat().st_mtime_ns
    assert convert_pdfs(library.folder) == [] and made.stat().st_mtime_ns == first
    changed = [*REPORT[:2], ["Local traders said the price of fish tripled during the freeze."]]
    pdf.write_bytes(pdf_bytes(changed, title="Harbour report"))
    assert convert_pdfs(library.folder) == []
    assert "tripled" in made.read_text(encoding="utf-8")


def test_a_pdf_without_text_or_over_a_name_taken_is_refused_with_its_reason(library):
    (library.folder / "scan.pdf").write_bytes(pdf_bytes([["x"]], drawing_only=True))
    (library.folder / "nk-troops.pdf").write_bytes(pdf_bytes(REPORT))  # nk-troops.txt is there
    library.refresh()
    reasons = {r.name: r.reason for r in library.refused}
    assert "no text layer" in reasons["scan.pdf"]
    assert "already has its name" in reasons["nk-troops.pdf"]
    assert not (library.folder / "scan.md").exists()
    assert all("\n" not in reason for reason in reasons.values())


def test_a_damaged_pdf_keeps_the_article_made_from_its_last_good_version(library):
    pdf = library.folder / "report.pdf"
    pdf.write_bytes(pdf_bytes(REPORT, title="Harbour report"))
    library.refresh()
    pdf.write_bytes(b"%PDF-1.7 broken")
    library.refresh()
    (refused,) = [r for r in library.refused if r.name == "report.pdf"]
    assert refused.kept and "damaged" in refused.reason
    assert "doubled" in library.engine.answer(FISH).sentence
