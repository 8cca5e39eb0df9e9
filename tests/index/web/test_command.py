"""``python -m index add URL`` and ``python -m index sync`` against a site of our own on
loopback: a page and a sitemap added to the console's corpus, answered from, and kept in sync."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from aiohttp import web

from bench.web import served
from index.__main__ import main
from index.corpus import adding
from index.library import Library
from index.web import command
from index.web.state import SourceStates

PAGE = (
    "<html><head><title>Wonsan harbour freezes</title></head><body><article>"
    "<h1>Wonsan harbour freezes</h1><p>The harbour of Wonsan froze over in March.</p>"
    "<p>Local traders said the price of fish {change} during the freeze.</p></article></body></html>"
)
FERRY = (
    "<html><head><title>Ferry times</title></head><body><article><h1>Ferry times</h1>"
    "<p>The ferry to Rason sails twice a week in summer, the port office said.</p></article></body></html>"
)


class Site:
    def __init__(self) -> None:
        self.change = "doubled"
        self.base = ""
        self.requests: list[str] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/robots.txt", self.robots)
        app.router.add_get("/harbour", self.harbour)
        app.router.add_get("/ferry", self.ferry)
        app.router.add_get("/sitemap.xml", self.sitemap)
        return app

    async def robots(self, request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private\n")

    async def harbour(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        etag = f'"{self.change}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            text=PAGE.format(change=self.change), content_type="text/html", headers={"ETag": etag}
        )

    async def ferry(self, request: web.Request) -> web.Response:
        return web.Response(text=FERRY, content_type="text/html")

    async def sitemap(self, request: web.Request) -> web.Response:
        locs = "".join(f"<url><loc>{self.base}{path}</loc></url>" for path in ("/ferry", "/private"))
        return web.Response(text=f"<urlset>{locs}</urlset>", content_type="application/xml")


@pytest.fixture
def site() -> Iterator[Site]:
    """The site, served from its own thread (the command runs its own event loop)."""
    with served(Site()) as running:
        yield running


@pytest.fixture
def data(tmp_path, monkeypatch, builtin_index_dir, encoder):
    """The console's data folder (the built-in article, indexed), fetching allowed on loopback."""
    folder = tmp_path / "data"
    shutil.copytree(builtin_index_dir, folder / "index")
    monkeypatch.setenv("DATA_DIR", str(folder))
    monkeypatch.setenv("ALLOW_PRIVATE_URLS", "127.0.0.1")
    for key in ("CORPUS_PATH", "INDEX_DIR", "MAX_PAGES", "FETCH_TIMEOUT"):
        monkeypatch.delenv(key, raising=False)

    def opened(settings, corpus, index_dir):  # the session's model, not a second load of it
        return Library.open(corpus, settings.data_dir, index_dir, settings.threshold, encoder=encoder)

    monkeypatch.setattr(command, "open_library", opened)
    monkeypatch.setattr(adding, "open_library", opened)
    return folder


def answers(data, question: str) -> str:
    library = adding.open_library(command.EngineConfig(None, data / "index", data), None, data / "index")
    answer = library.engine.answer(question)
    return answer.sentence if answer.answered else ""


def test_a_page_is_added_answered_and_synced(site, data, capsys):
    assert main(["add", f"{site.base}/harbour"]) == 0
    out = capsys.readouterr().out
    assert (
        out.startswith("added wonsan-harbour-freezes: Wonsan harbour freezes")
        and f"<{site.base}/harbour>" in out
    )
    assert "doubled" in answers(data, "What happened to the price of fish in Wonsan?")
    (state,) = SourceStates.in_folder(data).all()
    assert state.slug == "wonsan-harbour-freezes" and state.etag == '"doubled"'

    site.requests.clear()
    assert main(["sync"]) == 0
    assert capsys.readouterr().out.strip() == "1 checked, 1 unchanged"
    assert site.requests == ["/harbour"]  # one conditional request, answered 304

    site.change = "tripled"
    assert main(["sync", "wonsan-harbour-freezes"]) == 0
    assert "updated: wonsan-harbour-freezes" in capsys.readouterr().out
    assert "tripled" in answers(data, "What happened to the price of fish in Wonsan?")


def test_a_sitemap_adds_its_pages_and_says_what_robots_txt_refused(site, data, capsys):
    assert main(["add", f"{site.base}/sitemap.xml"]) == 0
    captured = capsys.readouterr()
    assert "added ferry-times: Ferry times" in captured.out
    assert f"refused {site.base}/private: " in captured.out and "robots.txt" in captured.out
    assert "2 of 2 pages" in captured.err
    assert "twice a week" in answers(data, "How often does the ferry to Rason sail?")


def test_a_refused_address_is_one_line_and_nothing_is_added(site, data, capsys, monkeypatch):
    monkeypatch.setenv("ALLOW_PRIVATE_URLS", "")
    assert main(["add", f"{site.base}/harbour"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("citebot: ") and "refused address" in err and "\n" not in err
    assert SourceStates.in_folder(data).all() == []


def test_a_url_with_a_user_name_and_password_is_refused_and_they_are_written_nowhere(site, data, capsys):
    host = site.base.split("://", 1)[1]
    assert main(["add", f"http://editor:hunter2secret@{host}/harbour"]) == 2
    err = capsys.readouterr().err.strip()
    assert "credentials in the URL" in err and "\n" not in err
    assert "hunter2secret" not in err and "editor" not in err
    assert SourceStates.in_folder(data).all() == [] and site.requests == []
    for path in data.rglob("*"):
        if path.is_file():
            assert b"hunter2secret" not in path.read_bytes(), path


def test_a_bad_setting_is_named_before_anything_is_fetched(site, data, capsys, monkeypatch):
    monkeypatch.setenv("FETCH_TIMEOUT", "soon")
    assert main(["add", f"{site.base}/harbour"]) == 2
    assert "FETCH_TIMEOUT" in capsys.readouterr().err
    assert site.requests == []


def test_a_file_is_added_from_the_command_line_and_answered(data, capsys, tmp_path):
    """Issue 23: ``python -m index add`` takes a file (.txt, .md, .html, .pdf) as well as a URL,
    checked as an upload is."""
    article = tmp_path / "ferry.md"
    article.write_text(
        "# Ferry times\n\nThe ferry to Rason sails twice a week in summer, the port office said.\n",
        encoding="utf-8",
    )
    assert main(["add", str(article)]) == 0
    assert capsys.readouterr().out.startswith("added ferry-times: Ferry times (")
    assert "twice a week" in answers(data, "How often does the ferry to Rason sail?")
    assert main(["add", str(tmp_path / "missing.md")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "notes.exe").write_bytes(b"MZ")
    assert main(["add", str(tmp_path / "notes.exe")]) == 2
    assert "only .txt, .md, .html or .pdf" in capsys.readouterr().err


def test_a_file_added_for_a_server_is_answered_there_and_nowhere_else(
    data, capsys, tmp_path, encoder, monkeypatch
):
    """Issue 23: ``python -m index add --server 111 FILE`` then ``python -m bot.console --json
    --server 111`` answers from it; ``--server 222`` and no ``--server`` never cite it."""
    import json
    from functools import partial

    from bot import console

    monkeypatch.setattr(console.Library, "open", partial(console.Library.open, encoder=encoder))
    article = tmp_path / "ferry.md"
    article.write_text(
        "# Ferry times\n\nThe ferry to Rason sails twice a week in summer, the port office said.\n",
        encoding="utf-8",
    )
    assert main(["add", "--server", "111", str(article)]) == 0
    assert capsys.readouterr().out.startswith("added ferry-times to the library of server 111: Ferry times (")
    assert (data / "servers" / "111" / "articles" / "ferry-times.md").is_file()
    question = "How often does the ferry to Rason sail?"
    replies = {}
    for where in (["--server", "111"], ["--server", "222"], []):
        assert console.main(["--json", *where, question]) == 0
        replies[" ".join(where) or "none"] = json.loads(capsys.readouterr().out)
    there = replies["--server 111"]
    assert there["answered"] and "twice a week" in there["answer"]
    assert there["passages"][0]["library"] == "111" and there["passages"][0]["id"] == "ferry-times#p1"
    assert {p["library"] for p in there["passages"][1:]} <= {"shared", "111"}
    for elsewhere in (replies["--server 222"], replies["none"]):
        assert not elsewhere["answered"] and all(p["library"] == "shared" for p in elsewhere["passages"])
        assert all("ferry" not in p["id"] for p in elsewhere["passages"])
