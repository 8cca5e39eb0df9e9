"""What the surfaces list without answering: example topics, the first id, passages by what is
typed. Made once when an index is loaded, so that nothing on the event loop grows with the
corpus (a keystroke in autocomplete searches one joined lowercase text, not every passage)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from index.passages import Passage

TOPICS = 3  # example topics kept: /help shows three, the how-to one
_GAP = "\x00"  # between passages in the joined text: never typed, so no match spans two


@dataclass(frozen=True)
class Catalogue:
    """Passages looked up by id or by typed text, and topics to suggest questions about."""

    topics: tuple[str, ...]  # section headings, else titles, first seen first
    ids: tuple[str, ...]
    _text: str  # every passage's "id text", lowercase, joined by _GAP
    _starts: tuple[int, ...]  # where each passage begins in _text

    @property
    def first_id(self) -> str | None:
        return self.ids[0] if self.ids else None

    def matching(self, typed: str, limit: int = 25) -> list[int]:
        """The rows of up to ``limit`` passages whose id or text holds ``typed`` (any case), in
        corpus order; every row from the first when nothing is typed."""
        typed = " ".join(typed.replace(_GAP, " ").lower().split())
        if not typed:
            return list(range(min(limit, len(self.ids))))
        rows: list[int] = []
        at = self._text.find(typed)
        while at >= 0 and len(rows) < limit:
            row = bisect_right(self._starts, at) - 1
            rows.append(row)
            nxt = self._starts[row + 1] if row + 1 < len(self._starts) else len(self._text)
            at = self._text.find(typed, nxt)  # on to the next passage: each is listed once
        return rows


def catalogue(passages: Sequence[Passage]) -> Catalogue:
    """The catalogue of ``passages`` (linear in their total length)."""
    sections = dict.fromkeys(t for p in passages if (t := p.section.strip().lower()))
    topics = list(sections) or list(dict.fromkeys(t for p in passages if (t := p.title.strip())))
    parts, starts, at = [], [], 0
    for p in passages:
        part = f"{p.id} {' '.join(p.text.split())}".lower()
        starts.append(at)
        parts.append(part)
        at += len(part) + len(_GAP)
    return Catalogue(
        topics=tuple(topics[:TOPICS]),
        ids=tuple(p.id for p in passages),
        _text=_GAP.join(parts),
        _starts=tuple(starts),
    )
