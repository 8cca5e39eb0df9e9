"""The console harness: batch JSON protocol, piped questions, one-shot, and REPL commands."""

import io
import json
import os
import subprocess
import sys

import pytest

from bot.console import Console, main
from tests.bot.stores import asks


def run_console(args, stdin, tmp_path):
    data = stdin if isinstance(stdin, bytes) else stdin.encode("utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # strict decoding, as on most desktops
    p = subprocess.run(
        [sys.executable, "-m", "bot.console", *args],
        input=data,
        capture_output=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
    )
    return subprocess.CompletedProcess(p.args, p.returncode, p.stdout.decode(), p.stderr.decode())


def test_json_batch_answers_every_line_with_exactly_one_object(builtin_index_dir, tmp_path):
    lines = [
        "When did Russia invade Ukraine?",
        "",
        "x" * 600,
        "?!?!",
        ":help",
        "How do I make a paper plane?",
        "<@123> who is the Pentagon spokesperson?",
    ]
    stdin = ("\n".join(lines) + "\n").encode("utf-8") + b"\xff\xfe not utf-8\n"
    p = run_console(["--json", "--index-dir", str(builtin_index_dir)], stdin, tmp_path)
    assert p.returncode == 0, p.stderr
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(out) == len(lines) + 1
    assert out[-1]["question"].endswith("not utf-8")
    first = out[0]
    assert first["answered"] and "February 2022" in first["answer"]
    fields = {"question", "answered", "answer", "answer_span", "refusal", "passages", "elapsed_ms"}
    assert set(first) == fields
    assert first["answer_span"] == "February 2022" and first["answer_span"] in first["answer"]
    assert first["refusal"] is None
    assert first["passages"][0]["id"] == "nk-troops#p14" and first["passages"][0]["rank"] == 1
    passage_fields = {"id", "rank", "text", "score", "doc", "section", "paragraph", "page", "url", "library"}
    assert set(first["passages"][0]) == passage_fields and first["passages"][0]["library"] == "shared"
    assert first["passages"][0]["url"] is None and first["passages"][0]["page"] is None
    for bad in (out[1], out[2], out[3]):
        assert bad["answered"] is False and bad["answer"] is None and bad["error"]
        assert bad["refusal"] == bad["error"] and bad["answer_span"] is None
    assert out[4]["question"] == ":help"
    assert out[5]["answered"] is False and out[5]["answer"] is None
    assert out[5]["refusal"].startswith("The article doesn't")
    assert out[6]["answered"] and "Ryder" in out[6]["answer"]


def test_piped_questions_get_the_text_answer(builtin_index_dir, tmp_path):
    p = run_console(["--index-dir", str(builtin_index_dir)], "When did Russia invade Ukraine?\n", tmp_path)
    assert p.returncode == 0, p.stderr
    assert "❓ When did Russia invade Ukraine?" in p.stdout
    assert "**" in p.stdout and "February 2022" in p.stdout
    assert "INFO" not in p.stdout  # logs go to stderr


def test_one_shot_question_from_the_command_line(builtin_index_dir, capsys):
    assert main(["--index-dir", str(builtin_index_dir), "Who", "is", "the", "Pentagon", "spokesperson?"]) == 0
    assert "Patrick Ryder" in capsys.readouterr().out


def test_missing_corpus_is_one_clear_line_and_exit_2(tmp_path, capsys):
    assert main(["--corpus", str(tmp_path / "nowhere"), "--index-dir", str(tmp_path / "i"), "q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("citebot: corpus not found") and "\n" not in err


def test_bad_setting_names_the_key(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RESULTS", "lots")
    assert main(["q"]) == 2
    assert "RESULTS='lots'" in capsys.readouterr().err


def test_bad_dotenv_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / ".env").write_bytes(b"RESULTS=\xff\xfe\n")
    assert main(["q"]) == 2
    assert "cannot read .env" in capsys.readouterr().err


@pytest.fixture
def console(engine):
    return Console(engine, k=3, as_json=False, out=io.StringIO())


def test_repl_commands(console):
    console.feed(
        [
            ":k 2",
            "When did Russia invade Ukraine?",
            ":passage nk-troops#p3",
            ":passage nope",
            ":sources",
            ":k 99",
            ":bogus",
            ":help",
        ]
    )
    out = console.out.getvalue()
    assert "Showing 2 passage(s) per answer." in out
    assert "[2]" in out and "[3]" not in out
    assert "▶ Introduction · ¶3 · nk-troops#p3" in out and "Pentagon confirmed" in out
    assert "nk-troops#p2" in out and "nk-troops#p4" in out  # with its neighbours, as /passage shows
    assert "No passage has the id 'nope'" in out
    assert "📚 Sources" in out and "North Korean troops" in out and "Defence Talks" in out
    assert "Usage: :k N" in out and "Unknown command :bogus" in out and ":quit" in out


def test_repl_json_toggle_and_quit(console):
    console.feed([":json", "When did Russia invade Ukraine?", ":quit", "never answered"])
    lines = console.out.getvalue().splitlines()
    assert lines[0] == "JSON output on."
    assert json.loads(lines[1])["answered"] is True
    assert len(lines) == 2


def test_gaps_and_stats_report_what_discord_asked(engine, tmp_path):
    from bot.stores.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for question in ("Who won the 1998 World Cup?", "Which team won the World Cup in 1998?"):
        asks.refused(store, question, guild_id=10)
    asks.answered(store, "When did Russia invade Ukraine?", "x#p1", user_id=2, guild_id=10)
    store.close()
    out = io.StringIO()
    console = Console(engine, 3, False, out, store_path=tmp_path / "feedback.sqlite3")
    console.feed([":gaps", ":stats 30", ":gaps nope"])
    text = out.getvalue()
    assert "in 1 group(s)" in text and "not answered 2" in text
    assert "Who won the 1998 World Cup?" in text and "Which team won the World Cup in 1998?" in text
    assert "When did Russia invade Ukraine?" not in text  # answered well: not a gap
    assert "3 question(s) from 2 people; 1 answered (33%)" in text
    assert "Usage: :gaps [DAYS]" in text


def test_reports_say_when_nothing_is_recorded_yet(engine, tmp_path):
    out = io.StringIO()
    Console(engine, 3, False, out, store_path=tmp_path / "none.sqlite3").feed([":stats"])
    assert "No questions recorded yet" in out.getvalue()
    assert not (tmp_path / "none.sqlite3").exists()


def test_a_damaged_database_is_one_line_and_the_console_goes_on(engine, tmp_path):
    (tmp_path / "feedback.sqlite3").write_bytes(b"not a database at all " * 100)
    out = io.StringIO()
    console = Console(engine, 3, False, out, store_path=tmp_path / "feedback.sqlite3")
    console.feed([":gaps", "When did Russia invade Ukraine?"])
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("The bot's database cannot be read") and str(tmp_path) not in lines[0]
    assert "Russia" in out.getvalue().split("\n", 1)[1]  # the next question is answered


REPORT = (
    "---\ntitle: Harbour authority annual report\nurl: https://example.com/report\n---\n"
    "<!-- page 1 -->\n\n"
    "The harbour authority looks after the port of Wonsan and its lighthouses.\n\n"
    "<!-- page 2 -->\n\n"
    "Revenue from port fees rose to 12 million euros in 2023.\n\n"
    "The new icebreaker cost 4 million euros and arrived in November.\n"
)
ICEBREAKER = "How much did the new icebreaker cost?"


@pytest.fixture
def report_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "report.md").write_text(REPORT, encoding="utf-8")
    return corpus


def test_the_console_shows_a_citations_page_and_its_address_plainly(report_corpus, tmp_path, capsys):
    assert (
        main(["--corpus", str(report_corpus), "--index-dir", str(tmp_path / "i"), "-k", "1", ICEBREAKER]) == 0
    )
    out = capsys.readouterr().out
    assert "[1] Introduction · p. 2 ¶2" in out
    link = "https://example.com/report#:~:text=The%20new%20icebreaker%20cost,and%20arrived%20in%20November."
    assert f"Read at example.com: {link}" in out


def test_the_json_protocol_gives_each_passage_its_url_and_page(report_corpus, tmp_path, capsys):
    args = ["--json", "--corpus", str(report_corpus), "--index-dir", str(tmp_path / "i"), ICEBREAKER]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)["passages"][0]
    assert first["url"] == "https://example.com/report" and first["page"] == 2 and first["paragraph"] == 2


def test_sources_show_where_a_fetched_article_came_from_and_when_it_was_checked(engine, tmp_path):
    from index import SourceState, SourceStates

    states = SourceStates.in_folder(tmp_path)
    states.put(SourceState("nk-troops", "https://news.example.com/nk", 1.0e9, 1.7e9, 1.0e9, None, None, "x"))
    states.close()
    out = io.StringIO()
    Console(engine, 3, False, out, store_path=tmp_path / "feedback.sqlite3").feed([":sources"])
    text = out.getvalue()
    assert "https://news.example.com/nk" in text and "checked" in text
    assert not (tmp_path / "feedback.sqlite3").exists()  # looking creates no database


MINISTER = "Who is North Korea's foreign minister?"
SPOKESPERSON = "Who is the Pentagon spokesperson?"


def test_a_json_line_is_a_question_read_with_its_history_and_a_bad_one_still_gets_its_line(engine):
    out = io.StringIO()
    lines = [
        json.dumps(
            {"question": "Is Putin meeting her?", "history": ["Who is North Korea's foreign minister?"]}
        ),
        json.dumps(
            {"question": "When did Russia invade Ukraine?", "history": ["Who is the Pentagon spokesperson?"]}
        ),
        '{"question": ',
        json.dumps({"history": ["Who?"]}),
        "Since when?",
    ]
    Console(engine, 3, True, out, batch=True).feed(lines)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == 5
    follow_up, alone, broken, no_question, plain = results
    assert follow_up["question"] == "Is Putin meeting her?" and "meet" in (follow_up["answer"] or "")
    assert alone["answer_span"] == "February 2022"  # stands alone: read alone
    assert broken["error"] and no_question["error"] and "question" in no_question["error"]
    assert plain["question"] == "Since when?"  # a plain line has no history


def test_at_the_prompt_questions_follow_each_other_until_new(engine):
    out = io.StringIO()
    console = Console(engine, 3, True, out)
    console.conversation = True  # as a person at the prompt has it
    console.feed([MINISTER, "Is Putin meeting her?", ":new", "Is Putin meeting her?"])
    lines = out.getvalue().splitlines()
    first, follow_up, said, alone = lines[0], lines[1], lines[2], lines[3]
    assert json.loads(follow_up)["following"] == MINISTER and "meet" in json.loads(follow_up)["answer"]
    assert "New conversation" in said and "following" not in json.loads(alone)
    assert "following" not in json.loads(first)
