"""What kind of thing a question asks for, and where a sentence holds one.

Rules over capitalised spans, numbers and dates: no tagger model can be had offline, and these
kinds are what "who / when / how many / where" questions ask for.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum

from index.words.terms import STOPWORDS, stem, words


class Kind(Enum):
    """A kind of answer."""

    NAME = "name"  # a person or an organisation: a capitalised span
    DATE = "date"
    NUMBER = "number"  # a count, amount, share or duration
    PLACE = "place"  # a capitalised span, best after "in", "at", "from", "to"


@dataclass(frozen=True)
class Span:
    """A stretch of a sentence that is a thing of some kind."""

    start: int
    end: int
    kind: Kind


_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions trillion dozen dozens "
    "half quarter third twice double triple"
).split()
_PLACE_NOUNS = (
    "city cities country countries region regions place places town towns state states area areas "
    "province provinces continent nation nations capital village district territory island county "
    "location border"
).split()
_DATE_NOUNS = "year years month months day days date dates decade decades century centuries time era".split()
_NUMBER_NOUNS = (
    "share percentage percent proportion number amount quantity fraction rate total sum price "
    "cost size population count"
).split()
_CALENDAR = re.compile(r"\b(?:" + "|".join(_MONTHS + _WEEKDAYS) + r")\b", re.IGNORECASE)
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][\w.'’\-]*")
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
_NUMBER = re.compile(r"(?<![\w.])[$€£¥]?\d+(?:[.,]\d+)*(?:\s?%|\s?percent\b)?")
_RANGE = re.compile(r"\s*(?:-|–|—|to|and|or|until|through)\s*")
_DATE_GAP = re.compile(r" |, ")
_CONNECTORS = {"of", "and", "for", "the", "de", "du", "von", "van", "al", "bin", "la", "del"}
_OPENERS = {"the", "a", "an"}


def expected_kind(question: str) -> Kind | None:
    """The kind of thing the question asks for, or None when it asks for none in particular.

    "Which official ..." asks for no kind: its answer is as often a role ("the foreign
    minister") as a name; on SQuAD, expecting a name there changed nothing (answer@1 0.827
    against 0.828 on the fitted articles).
    """
    ws = words(question)
    if not ws:
        return None
    text = " " + " ".join(ws) + " "
    if re.search(r" how (many|much|long|far|old|big|large|tall|high|often|heavy) ", text):
        return Kind.DATE if " how long ago " in text else Kind.NUMBER
    if re.search(r" (when|since when) ", text) or re.search(
        r" (what|which) (year|month|day|date|decade|century) ", text
    ):
        return Kind.DATE
    if " where " in text:
        return Kind.PLACE
    if re.search(r" (who|whom|whose) ", text):
        return Kind.NAME
    m = re.search(r" (what|which) (?:(?:is|was|are|were|the|a|an) )*(\w+)(?: (\w+))? ", text)
    if m:
        nouns = [n for n in m.groups()[1:] if n]
        for noun in nouns:
            if noun in _PLACE_NOUNS:
                return Kind.PLACE
            if noun in _DATE_NOUNS:
                return Kind.DATE
            if noun in _NUMBER_NOUNS:
                return Kind.NUMBER
    return None


def _capitalised_runs(sentence: str, proper: Collection[str]) -> list[tuple[int, int]]:
    """Runs of capitalised words (with "of", "and", ... inside them), as names are written.

    A sentence's first word counts only when the corpus writes it capitalised mid-sentence
    (``proper``) or it leads a run of two or more.
    """
    found = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(sentence)]
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(found):
        start, end, word = found[i]
        if not word[0].isupper():
            i += 1
            continue
        j = i
        while j + 1 < len(found):
            gap = sentence[found[j][1] : found[j + 1][0]]
            nxt = found[j + 1][2]
            if gap not in (" ", "-"):
                break
            if nxt[0].isupper():
                j += 1
            elif (
                nxt.lower() in _CONNECTORS
                and j + 2 < len(found)
                and found[j + 2][2][0].isupper()
                and sentence[found[j + 1][1] : found[j + 2][0]] == " "
            ):
                j += 2
            else:
                break
        initial = not sentence[:start].strip() or sentence[:start].rstrip()[-1:] in '.!?"“:'
        first = found[i][2].lower().rstrip(".’'s")
        if initial and (first in _OPENERS or first in STOPWORDS) and j > i:
            start = found[i + 1][0]
        elif initial and j == i and first not in proper:
            i = j + 1
            continue
        end = found[j][1]
        if sentence[end - 1] == "." and "." not in found[j][2][:-1]:  # a full stop, not "U.S."
            end -= 1
        runs.append((start, end))
        i = j + 1
    return runs


_TIME_UNIT = re.compile(
    r"\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))\b"
)


def _with_unit(sentence: str, span: Span) -> Span:
    """A number with the unit of time after it, as one span ("six weeks")."""
    m = _TIME_UNIT.match(sentence, span.end)
    return Span(span.start, m.end(), span.kind) if m else span


def _is_date(text: str) -> bool:
    low = text.lower()
    return any(w in _MONTHS or w in _WEEKDAYS for w in re.findall(r"[a-z]+", low)) or bool(_YEAR.search(text))


def spans(sentence: str, proper: Collection[str] = ()) -> list[Span]:
    """Every name, place, date and number in ``sentence``, in order."""
    out: list[Span] = []
    for start, end in _capitalised_runs(sentence, proper):
        text = sentence[start:end]
        if _is_date(text):
            out.append(Span(start, end, Kind.DATE))
            continue
        before = sentence[:start].rstrip().rsplit(" ", 1)[-1].lower()
        kind = Kind.PLACE if before in ("in", "at", "from", "to", "near", "into", "across") else Kind.NAME
        out.append(Span(start, end, kind))
    for m in _YEAR.finditer(sentence):
        out.append(Span(m.start(), m.end(), Kind.DATE))
    for m in _CALENDAR.finditer(sentence):
        if m.group()[0].isupper():
            out.append(Span(m.start(), m.end(), Kind.DATE))
    for m in _NUMBER.finditer(sentence):
        if not _YEAR.fullmatch(m.group()):
            out.append(_with_unit(sentence, Span(m.start(), m.end(), Kind.NUMBER)))
    for m in _NUMBER_WORD.finditer(sentence):
        out.append(_with_unit(sentence, Span(m.start(), m.end(), Kind.NUMBER)))
    out.sort(key=lambda s: (s.start, -s.end))
    kept: list[Span] = []
    for s in out:  # the first, longest span wins where two overlap
        if not kept or s.start >= kept[-1].end:
            kept.append(s)
    merged: list[Span] = []
    for s in kept:  # a range is one answer ("3,000 to 10,000"), and so is a date's parts
        last = merged[-1] if merged else None
        gap = sentence[last.end : s.start] if last else ""
        if last and last.kind is s.kind is not Kind.NAME and _RANGE.fullmatch(gap):
            merged[-1] = Span(last.start, s.end, s.kind)
        elif last and _DATE_GAP.fullmatch(gap) and _date_parts(sentence, last, s):
            merged[-1] = Span(last.start, s.end, Kind.DATE)  # "February 2022", "October 5, 1973"
        else:
            merged.append(s)
    return merged


def _date_parts(sentence: str, a: Span, b: Span) -> bool:
    """Two neighbouring spans that are one date: a date and a date, or a date and a day."""
    day = re.compile(r"\d{1,2}(?:st|nd|rd|th)?")
    kinds = {a.kind, b.kind}
    if kinds == {Kind.DATE}:
        return True
    if kinds == {Kind.DATE, Kind.NUMBER}:
        number = a if a.kind is Kind.NUMBER else b
        return bool(day.fullmatch(sentence[number.start : number.end]))
    return False


def _share_asked(question: str) -> bool:
    """The question asks for a share ("what percentage", "what share of")."""
    return bool(set(words(question)) & {"percentage", "percent", "share", "proportion", "fraction"})


def fits(span_kind: Kind, wanted: Kind) -> bool:
    """A span of ``span_kind`` can answer a question asking for ``wanted``."""
    if wanted is Kind.NAME:
        return span_kind in (Kind.NAME, Kind.PLACE)  # "who": a country or city may be the actor
    if wanted is Kind.PLACE:
        return span_kind in (Kind.PLACE, Kind.NAME)
    if wanted is Kind.NUMBER:
        return span_kind is Kind.NUMBER
    return span_kind is Kind.DATE  # a duration ("six weeks") answers "when" too: see answer_spans


def asked_stems(question: str) -> frozenset[str]:
    """The stems of a question's words, as ``answer_spans`` compares them."""
    return frozenset(stem(w) for w in words(question))


def answer_spans(
    sentence: str,
    question: str,
    wanted: Kind,
    proper: Collection[str] = (),
    asked: frozenset[str] | None = None,
) -> list[Span]:
    """The spans of ``sentence`` that could answer ``question``: of the kind it asks for, and
    not named in the question itself (trimmed of the words they share with it). ``asked``:
    ``asked_stems(question)``, when the caller has it already."""
    asked = asked_stems(question) if asked is None else asked
    out = []
    share = wanted is Kind.NUMBER and _share_asked(question)
    for s in spans(sentence, proper):
        duration = s.kind is Kind.NUMBER and bool(_TIME_UNIT.search(sentence[s.start : s.end]))
        if not fits(s.kind, wanted) and not (wanted is Kind.DATE and duration):
            continue
        if share and not re.search(r"%|percent|half|quarter|third", sentence[s.start : s.end + 9]):
            continue
        trimmed = _trim(sentence, s, asked)
        if trimmed is not None:
            out.append(trimmed)
    if wanted is Kind.PLACE:  # a place after "in", "at", ... first
        out.sort(key=lambda s: s.kind is not Kind.PLACE)
    return out


def _trim(sentence: str, span: Span, asked: set[str]) -> Span | None:
    """The span without leading and trailing words the question already has; None if nothing
    new is left."""
    parts = [
        (m.start() + span.start, m.end() + span.start)
        for m in re.finditer(r"\S+", sentence[span.start : span.end])
    ]

    def known(part: tuple[int, int]) -> bool:
        ws = words(sentence[part[0] : part[1]])
        return not ws or all(stem(w) in asked or w in _CONNECTORS for w in ws)

    while parts and known(parts[0]):
        parts.pop(0)
    while parts and known(parts[-1]):
        parts.pop()
    if not parts:
        return None
    start, end = parts[0][0], parts[-1][1]
    while end > start and sentence[end - 1] in ",.;:’'\"”)":
        end -= 1
    if sentence[start:end].endswith(("’s", "'s")):
        end -= 2
    return Span(start, end, span.kind) if end > start else None
