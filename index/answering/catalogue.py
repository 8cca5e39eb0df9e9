"""What the surfaces list without answering: example topics, the first id, passages by what is
typed. Made once when an index is loaded, so that nothing on the event loop grows with the
corpus: a keystroke in autocomplete looks its rarest word up in an index of the passages' words and
reads only the passages that hold it."""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from index.corpus.passages import Passage

TOPICS = 3  # example topics kept: /help shows three, the how-to one
CHECKED = 2_000  # passages read for one keystroke at the most: past it the list is left short
PREFIXES = 200  # words sharing the beginning typed, at most, looked up; past it passages are read
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Catalogue:
    """Passages looked up by what is typed, and topics to suggest questions about."""

    topics: tuple[str, ...]  # section headings, else titles, first seen first
    ids: tuple[str, ...]
    _texts: tuple[str, ...]  # each passage's "id text", lowercase, spaces collapsed
    _rows: dict[str, list[int]]  # word -> the passages holding it, in order
    _words: tuple[str, ...]  # the same words, sorted: for the word being typed

    @property
    def first_id(self) -> str | None:
        return self.ids[0] if self.ids else None

    def matching(self, typed: str, limit: int = 25) -> list[int]:
        """The rows of up to ``limit`` passages whose id or text holds ``typed`` (any case), in
        corpus order; the first passages when nothing is typed."""
        typed = " ".join(typed.lower().split())
        if not typed:
            return list(range(min(limit, len(self.ids))))
        found: list[int] = []
        for checked, row in enumerate(self._candidates(typed)):
            if checked == CHECKED or len(found) == limit:
                break
            if typed in self._texts[row]:
                found.append(row)
        return found

    def _candidates(self, typed: str) -> Iterable[int]:
        """Passages that may hold ``typed``, in order: those holding its rarest word (the last
        one may still be being typed: any word beginning so). Each is then read, at most
        ``CHECKED`` of them."""
        words = _WORD.findall(typed)
        if not words:
            return range(len(self.ids))  # symbols only: read in order
        finished = not typed[-1].isalnum()
        options: list[tuple[int, Iterable[int]]] = [
            (len(rows), rows) for rows in (self._rows.get(w, []) for w in (words if finished else words[:-1]))
        ]
        if not finished:
            at = bisect_left(self._words, words[-1])
            stop = bisect_left(self._words, words[-1] + "\U0010ffff")
            if stop - at <= PREFIXES:
                lists = [self._rows[w] for w in self._words[at:stop]]
                options.append((sum(map(len, lists)), _unique(heapq.merge(*lists))))
        if not options:
            return range(len(self.ids))  # one word with a common beginning: read in order
        return min(options, key=lambda option: option[0])[1]


def _unique(rows: Iterable[int]) -> Iterator[int]:
    last = -1
    for row in rows:
        if row != last:
            yield row
            last = row


def catalogue(passages: Sequence[Passage]) -> Catalogue:
    """The catalogue of ``passages`` (linear in their total length)."""
    sections = dict.fromkeys(t for p in passages if (t := p.section.strip().lower()))
    topics = list(sections) or list(dict.fromkeys(t for p in passages if (t := p.title.strip())))
    texts = tuple(f"{p.id} {' '.join(p.text.split())}".lower() for p in passages)
    rows: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        for word in set(_WORD.findall(text)):
            rows.setdefault(word, []).append(row)
    return Catalogue(
        topics=tuple(topics[:TOPICS]),
        ids=tuple(p.id for p in passages),
        _texts=texts,
        _rows=rows,
        _words=tuple(sorted(rows)),
    )
