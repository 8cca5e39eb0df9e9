"""Hostile text: every parser of text from outside finishes on pathological input, YAML cannot
expand or nest without bound, links out of the corpus folder are refused, titles cannot spoof,
and adding an article never replaces another's file."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import index.words.sentences
from bench.hostile import INPUTS, parsers
from index.corpus.articles import read_article, read_corpus
from index.corpus.intake import IntakeError, draft_from_file, draft_from_text, write_article
from index.corpus.passages import MAX_PASSAGE_CHARS, chunk_article
from index.words.question import QuestionError, clean_question
from index.words.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[2]
SPOOFS = "\u202e\u2066\u200b\u200d\ufeff\u00ad"  # right-to-left override, isolate, zero widths, soft hyphen


@pytest.mark.parametrize("parser", list(parsers(Path())))
def test_every_parser_of_outside_text_finishes_on_pathological_input(parser):
    done = subprocess.run(
        [sys.executable, "-m", "bench.hostile", "--parser", parser],
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=30,  # generous: each input takes well under a second; the figures are in the bench
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith(parser)]
    assert [line[14:30].strip() for line in lines] == list(INPUTS)


@pytest.mark.parametrize(
    ("line", "section"),
    [
        ("# Infantry roles", "Infantry roles"),
        ("  ## Infantry roles ##  ", "Infantry roles"),
        ("### a #b", "a #b"),
        ("# a   b", "a   b"),
        ("INFANTRY ROLES", "INFANTRY ROLES"),
    ],
)
def test_markdown_and_capital_headings_name_the_section(line, section):
    article = read_article(_file(Path.cwd() / "a.md", f"{line}\n\nThe troops train.\n"))
    assert [p.section for p in chunk_article(article)] == [section]


@pytest.mark.parametrize("line", ["#hashtag here", "####### seven", "    # indented code"])
def test_lines_that_only_look_like_headings_stay_text(line):
    article = read_article(_file(Path.cwd() / "a.md", f"{line}\n\nThe troops train.\n"))
    assert [p.text for p in chunk_article(article)][0] == line.strip()


def test_the_sentence_splitter_is_never_handed_more_than_its_cap(monkeypatch):
    from index.words.sentences import MAX_SEGMENT_CHARS

    handed: list[int] = []
    real = index.words.sentences.segment

    def spy(language: str, text: str):
        handed.append(len(text))
        return real(language, text)

    monkeypatch.setattr(index.words.sentences, "segment", spy)
    text = INPUTS["open quotes"]
    spans = split_sentences(text, MAX_PASSAGE_CHARS)
    assert max(handed) <= MAX_SEGMENT_CHARS
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")


def _file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _laughs(levels: int = 6) -> str:
    """A billion-laughs YAML of a few hundred bytes whose ``title`` expands to megabytes."""
    lines = ['l0: &l0 "lol lol lol"']
    for n in range(1, levels + 1):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\ntitle: *l{levels}\n"


def _refusal(folder: Path, name: str) -> str:
    read = read_corpus(folder)
    assert name not in {Path(a.path).name for a in read.articles}
    return next(r.reason for r in read.refused if r.name == name)


def test_front_matter_aliases_are_refused_with_a_reason(tmp_path):
    _file(tmp_path / "good.txt", "A good article.\n")
    _file(tmp_path / "laughs.md", f"---\n{_laughs()}---\nText.\n")
    assert len(_laughs()) < 400
    assert "alias" in _refusal(tmp_path, "laughs.md")


def test_sidecar_aliases_are_refused_with_a_reason(tmp_path):
    _file(tmp_path / "good.txt", "A good article.\n")
    _file(tmp_path / "laughs.txt", "Text.\n")
    _file(tmp_path / "laughs.yaml", _laughs())
    assert "alias" in _refusal(tmp_path, "laughs.txt")


def test_deeply_nested_front_matter_is_refused_not_a_crash(tmp_path):
    _file(tmp_path / "good.txt", "A good article.\n")
    _file(tmp_path / "deep.md", "---\ntitle: " + "[" * 3000 + "]" * 3000 + "\n---\nText.\n")
    assert "nest" in _refusal(tmp_path, "deep.md")


def test_oversized_front_matter_and_values_are_refused_before_parsing(tmp_path):
    _file(tmp_path / "good.txt", "A good article.\n")
    _file(tmp_path / "big.md", "---\n" + "".join(f"k{n}: {'v' * 60}\n" for n in range(1000)) + "---\nText.\n")
    _file(tmp_path / "long.md", f"---\ntitle: {'word ' * 1000}\n---\nText.\n")
    _file(tmp_path / "side.txt", "Text.\n")
    _file(tmp_path / "side.yaml", "x: " + "y" * 100_000 + "\n")
    assert "front matter" in _refusal(tmp_path, "big.md")
    assert "title" in _refusal(tmp_path, "long.md")
    assert "side.yaml" in _refusal(tmp_path, "side.txt")


def test_a_link_to_a_file_outside_the_corpus_folder_is_refused(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir(), outside.mkdir()
    _file(corpus / "good.txt", "A good article.\n")
    (corpus / "leak.txt").symlink_to(_file(outside / "secret.txt", "The secret text.\n"))
    assert "link" in _refusal(corpus, "leak.txt")


def test_a_linked_metadata_file_is_refused(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir(), outside.mkdir()
    _file(corpus / "good.txt", "A good article.\n")
    _file(corpus / "article.txt", "The article.\n")
    (corpus / "article.yaml").symlink_to(_file(outside / "meta.yaml", "title: Secret\n"))
    assert "link" in _refusal(corpus, "article.txt")


@pytest.mark.parametrize(
    "files",
    [
        {"a.md": f"---\ntitle: Ice{SPOOFS} in  Wonsan\n---\nText.\n"},
        {"a.txt": "Text.\n", "a.yaml": f'title: "Ice{SPOOFS} in  Wonsan"\n'},
        {f"Ice{SPOOFS} in  Wonsan.txt": "Text.\n"},
    ],
    ids=["front matter", "sidecar", "file name"],
)
def test_titles_read_from_the_corpus_are_cleaned_of_spoofing_characters(tmp_path, files):
    for name, text in files.items():
        _file(tmp_path / name, text)
    assert [a.title for a in read_corpus(tmp_path).articles] == ["Ice in Wonsan"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "page.html",
            f"<html><head><title>Ice{SPOOFS} in Wonsan</title></head><body><article><p>The harbour"
            " of Wonsan froze over in March, officials said on Tuesday.</p></article></body></html>",
        ),
        ("notes.md", f"# Ice{SPOOFS} in Wonsan\n\nThe harbour froze.\n"),
        (f"Ice{SPOOFS} in Wonsan.txt", "The harbour froze.\n"),
    ],
    ids=["page metadata", "first heading", "file name"],
)
def test_titles_of_new_articles_are_cleaned_of_spoofing_characters(name, data):
    assert draft_from_file(name, data.encode()).title == "Ice in Wonsan"


def test_a_typed_title_is_cleaned_and_one_of_only_invisible_characters_refused():
    assert draft_from_text(f"<@&42> Ice{SPOOFS} in Wonsan", "Text.").title == "Ice in Wonsan"
    with pytest.raises(IntakeError, match="title"):
        draft_from_text(SPOOFS, "Text.")


def test_a_page_over_the_size_parsed_is_refused_before_parsing():
    page = "<html><body>" + "<div><p>menu</p></div>" * 120_000 + "</body></html>"
    with pytest.raises(IntakeError, match="at most"):
        draft_from_file("page.html", page.encode())


def test_a_question_far_over_any_message_size_is_refused_before_cleaning():
    with pytest.raises(QuestionError, match="characters long"):
        clean_question(" " * 20_000 + "why?")


def test_adding_an_article_never_replaces_a_file_that_appears_meanwhile(tmp_path, monkeypatch):
    theirs = "---\ntitle: Theirs\n---\nTheir text.\n"
    real_mkstemp = tempfile.mkstemp

    def rival_writes_first(*args, **kwargs):  # another writer takes the name after it was checked
        _file(tmp_path / "ice-in-wonsan.md", theirs)
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", rival_writes_first)
    ours = write_article(tmp_path, draft_from_text("Ice in Wonsan", "The harbour froze."))
    assert (tmp_path / "ice-in-wonsan.md").read_text(encoding="utf-8") == theirs
    assert Path(ours.path).name == "ice-in-wonsan-2.md" and "harbour froze" in ours.body
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ice-in-wonsan-2.md", "ice-in-wonsan.md"]


def test_without_hard_links_an_article_still_takes_a_free_name_only(tmp_path, monkeypatch):
    def no_hard_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    _file(tmp_path / "ice-in-wonsan.md", "Theirs.\n")
    monkeypatch.setattr(os, "link", no_hard_links)
    ours = write_article(tmp_path, draft_from_text("Ice in Wonsan", "The harbour froze."))
    assert (tmp_path / "ice-in-wonsan.md").read_text(encoding="utf-8") == "Theirs.\n"
    assert Path(ours.path).name == "ice-in-wonsan-2.md" and "harbour froze" in ours.body
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
