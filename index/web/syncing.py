"""Keeping fetched articles in sync: every article with a URL asked again with a conditional
request; the changed ones rewritten and reindexed, the gone ones flagged, the removed ones
forgotten. One function for the console and the bot alike."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.errors import CitebotError
from index.web.sources import CONCURRENCY, Checked, check

if TYPE_CHECKING:
    from index.corpus.intake import Draft
    from index.library import Library
    from index.web.fetch import Fetcher
    from index.web.state import SourceState, SourceStates

Update = Callable[[str, "Draft"], Awaitable[object]]


@dataclass(frozen=True)
class SyncReport:
    """What one sync found, by article id."""

    unchanged: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()  # (id, why)
    forgotten: tuple[str, ...] = ()  # removed from the library: synced no more

    @property
    def checked(self) -> int:
        return len(self.unchanged) + len(self.updated) + len(self.gone) + len(self.failed)

    def joined(self, other: SyncReport) -> SyncReport:
        """Both reports as one (two libraries synced in turn)."""
        return SyncReport(
            self.unchanged + other.unchanged,
            self.updated + other.updated,
            self.gone + other.gone,
            self.failed + other.failed,
            self.forgotten + other.forgotten,
        )

    def summary(self) -> str:
        """One line: how many were checked and what became of them."""
        parts = [f"{self.checked} checked", f"{len(self.unchanged)} unchanged"]
        if self.updated:
            parts.append(f"updated: {', '.join(self.updated)}")
        if self.gone:
            parts.append(f"gone upstream: {', '.join(self.gone)}")
        if self.failed:
            parts.append("failed: " + "; ".join(f"{slug} ({why})" for slug, why in self.failed))
        return ", ".join(parts)


async def sync_sources(
    library: Library,
    states: SourceStates,
    fetcher: Fetcher,
    *,
    only: str | None = None,
    update: Update | None = None,
) -> SyncReport:
    """Check every fetched article (or the one with id ``only``) and bring the changed ones in.

    ``update(slug, draft)`` rewrites and reindexes one article (default: ``library.update`` on a
    worker thread; the bot passes its own, which runs beside the model). An unchanged page costs
    its one request and nothing else: no file is written and nothing is reindexed.
    """
    apply = update or (lambda slug, draft: asyncio.to_thread(library.update, slug, draft))
    present = {a.slug for a in library.articles()}
    unchanged: list[str] = []
    updated: list[str] = []
    gone: list[str] = []
    failed: list[tuple[str, str]] = []
    forgotten: list[str] = []
    wanted = []
    for state in states.all():
        if only is not None and state.slug != only:
            continue
        if state.slug not in present:  # removed articles are not synced
            states.forget(state.slug)
            forgotten.append(state.slug)
            continue
        wanted.append(state)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def asked(state: SourceState) -> Checked:
        async with gate:
            return await check(fetcher, state, time.time())

    # the checks two at a time, as a site is read; the changes brought in one by one after
    for state, checked in zip(wanted, await asyncio.gather(*map(asked, wanted)), strict=True):
        if checked.draft is not None:
            try:
                await apply(state.slug, checked.draft)
            except CitebotError as exc:
                failed.append((state.slug, exc.user_message))
                states.put(state.checked_at(checked.state.checked, exc.user_message))
                continue
            updated.append(state.slug)
        elif checked.state.gone:
            gone.append(state.slug)
        elif checked.state.problem:
            failed.append((state.slug, checked.state.problem))
        else:
            unchanged.append(state.slug)
        states.put(checked.state)
    return SyncReport(tuple(unchanged), tuple(updated), tuple(gone), tuple(failed), tuple(forgotten))
