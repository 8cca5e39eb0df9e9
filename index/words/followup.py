"""A question read with the conversation before it: a follow-up ("Since when?", "Is Putin meeting
her?") takes the key words of the question it follows; a question that stands on its own is
read alone. A pure function of (question, history)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_HISTORY = 3  # earlier questions looked at, the latest last

# words that point back into the conversation rather than into the article
_REFERRING = frozenset(
    "he him his she her hers they them their theirs it its there that those these this "
    "former latter both either neither such".split()
)
# words that carry no topic of their own (question words, auxiliaries, fillers)
_EMPTY = frozenset(
    "a an the and or but so what who whom whose which when where why how is are was were be been "
    "being do does did done has have had will would can could should shall may might must to of "
    "in on at by for from with about into over under up down out as than then more most many much "
    "any some all no not yes one two according since before after again also else other others "
    "way number time times thing things say said tell told make made get got go going come".split()
)
_DEMONSTRATIVES = frozenset("that this these those".split())
_POSSESSIVES = frozenset("its their".split())
_BE = frozenset("is are was were be been being isn't aren't wasn't weren't".split())
_WORD = re.compile(r"[\w'’-]+")
_OPENERS = ("and ", "but ", "so ", "then ", "also ")


@dataclass(frozen=True)
class Reading:
    """How a question is read: ``text`` is what is searched and answered; ``following`` the
    earlier question it was read with (None: it stands alone)."""

    question: str
    text: str
    following: str | None = None


def topic_words(text: str) -> list[str]:
    """The words of ``text`` that name what it is about, in order, once each."""
    seen: list[str] = []
    for word in _WORD.findall(text):
        key = word.lower().strip("'’-")
        key = key[:-2] if key.endswith(("'s", "’s")) else key
        if key and key not in _EMPTY and key not in _REFERRING and key not in seen:
            seen.append(key)
    return seen


def _points_back(words: list[str], original: list[str], i: int) -> bool:
    """Whether ``words[i]``, a referring word, points outside the question.

    Not: "that" and "this" after a content word ("the reason that ...", "stated that ...": a
    relative clause or reported speech), "there" beside a form of "be" ("are there", "there
    was": nothing is placed), and "its"/"their" after a name the question gives itself ("the
    Mongol army ... their catapults").
    """
    word = words[i]
    before = words[i - 1] if i else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    if word in _DEMONSTRATIVES:
        return not before or before in _EMPTY or not after
    if word == "there":
        return before not in _BE and after not in _BE
    if word in _POSSESSIVES:
        return not any(w[:1].isupper() for w in original[1:i])
    return True


def needs_history(question: str) -> bool:
    """Whether ``question`` points back into the conversation: a pronoun or "there" that refers
    outside it, an opening "And ...", or fewer than two words of its own topic ("Since when?",
    "According to whom?")."""
    original = _WORD.findall(question)
    words = [w.lower() for w in original]
    if not words:
        return False
    if question.lower().lstrip().startswith(_OPENERS):
        return True
    if any(w in _REFERRING and _points_back(words, original, i) for i, w in enumerate(words)):
        return True
    return len(topic_words(question)) < 2


def read_with(question: str, history: Sequence[str] = ()) -> Reading:
    """``question`` as it is to be answered after ``history`` (earlier questions, oldest first).

    The question itself, asked again (or asked about again), is not its own history. A
    follow-up keeps its own words first (so that its kind of answer, a date for "Since when?",
    is its own) and gains the topic words of the latest earlier question that has some.
    """
    asked = " ".join(question.lower().split())
    recent = [h for h in history if h.strip() and " ".join(h.lower().split()) != asked][-MAX_HISTORY:]
    if not recent or not needs_history(question):
        return Reading(question, question)
    own = set(topic_words(question))
    for earlier in reversed(recent):
        borrowed = [w for w in topic_words(earlier) if w not in own]
        if borrowed:
            return Reading(question, f"{question.rstrip()} ({' '.join(borrowed)})", earlier)
    return Reading(question, question)
