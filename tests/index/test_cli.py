"""``python -m index``: build, search and info."""

from index.__main__ import main


def test_build_then_info_then_search(tmp_path, capsys, encoder):
    folder = tmp_path / "idx"
    assert main(["build", "--index-dir", str(folder)]) == 0
    assert "built 18 passages" in capsys.readouterr().out
    assert main(["info", "--index-dir", str(folder)]) == 0
    info = capsys.readouterr().out
    assert "all-MiniLM-L6-v2" in info and "nk-troops" in info and "threshold" in info
    assert main(["search", "--index-dir", str(folder), "-k", "2", "When", "did", "Russia", "invade?"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1.* ") and "nk-troops#p14" in lines[0]
    assert lines[2].startswith("answered (confidence") and lines[3] == "answer span: February 2022"
    assert main(["search", "--index-dir", str(folder), "What", "time", "is", "it", "in", "Tokyo?"]) == 0
    assert "The article doesn't mention Tokyo. (confidence" in capsys.readouterr().out


def test_info_without_an_index_says_how_to_build_one(tmp_path, capsys):
    assert main(["info", "--index-dir", str(tmp_path / "none")]) == 1
    assert "python -m index build" in capsys.readouterr().err


def test_search_with_an_empty_question_prints_the_message(tmp_path, capsys, builtin_index_dir):
    assert main(["search", "--index-dir", str(builtin_index_dir), "   "]) == 1
    assert "type a question" in capsys.readouterr().out
