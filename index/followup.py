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


def needs_history(question: str) -> bool:
    """Whether ``question`` points back into the conversation: a pronoun or "there", an opening
    "And ...", or fewer than two words of its own topic ("Since when?", "According to whom?")."""
    words = [w.lower() for w in _WORD.findall(question)]
    if not words:
        return False
    if any(w in _REFERRING for w in words) or question.lower().lstrip().startswith(_OPENERS):
        return True
    return len(topic_words(question)) < 2


def read_with(question: str, history: Sequence[str] = ()) -> Reading:
    """``question`` as it is to be answered after ``history`` (earlier questions, oldest first).

    A follow-up keeps its own words first (so that its kind of answer, a date for "Since when?",
    is its own) and gains the topic words of the latest earlier question that has some.
    """
    recent = [h for h in history[-MAX_HISTORY:] if h.strip()]
    if not recent or not needs_history(question):
        return Reading(question, question)
    own = set(topic_words(question))
    for earlier in reversed(recent):
        borrowed = [w for w in topic_words(earlier) if w not in own]
        if borrowed:
            return Reading(question, f"{question.rstrip()} ({' '.join(borrowed)})", earlier)
    return Reading(question, question)
