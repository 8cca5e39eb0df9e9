"""Fixtures of the fetcher's tests: a site on 127.0.0.1, another on 127.0.0.2, both stopped
after the test, and no fetch setting inherited from outside."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.index.web.server import Site, serve


@pytest.fixture(autouse=True)
def no_fetch_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fetcher's settings come from each test, never from the machine."""
    monkeypatch.delenv("ALLOW_PRIVATE_URLS", raising=False)
    monkeypatch.delenv("FETCH_TIMEOUT", raising=False)


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    """The site, served on 127.0.0.1."""
    async with serve(Site(), "127.0.0.1") as served:
        yield served


@pytest.fixture
async def other_site() -> AsyncIterator[Site]:
    """A second site, served on 127.0.0.2 (another loopback address)."""
    async with serve(Site(), "127.0.0.2") as served:
        yield served
