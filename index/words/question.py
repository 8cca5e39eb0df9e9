"""Questions as people type them, cleaned into something worth searching for."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection

from index.errors import CitebotError

MAX_QUESTION_CHARS = 500
CUT_MARK = "..."  # the end of a text cut to a question's length (NFKC reads "…" so)
MAX_RAW_QUESTION_CHARS = 6_000  # a Discord message with Nitro is 4,000; a slash option 6,000 in all

# Discord's mention and emoji markup: <@id>, <@!id>, <@&role>, <#channel>, <:name:id>,
# <a:name:id>, </command:id>, and the two mass pings.
_MENTION = re.compile(r"<(?:@[!&]?|#|/[\w -]+:)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b")
_SPACE = re.compile(r"\s+")


class QuestionError(CitebotError, ValueError):
    """A question that cannot be searched for; the message is what the asker is shown."""


def clean_line(text: str) -> str:
    """``text`` as one line of what a reader sees: compatibility forms folded (NFKC), control,
    format (zero-width, bidi override), private and unassigned characters dropped, Discord
    mentions removed and whitespace collapsed. Used for questions and for articles' titles."""
    text = unicodedata.normalize("NFKC", text or "")
    # invisible characters first, so that none can hide a mention from the pattern below
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    text = _MENTION.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def question_from(text: str) -> str:
    """The start of a longer text (a forum post, someone's message) as a question: read as a
    question is read (``clean_line``), and past ``MAX_QUESTION_CHARS`` cut at a word, "..." marking
    the cut, so that ``clean_question`` takes it whatever its length was."""
    line = clean_line(text[: MAX_RAW_QUESTION_CHARS * 4])  # a start ample for a question, read once
    if len(line) <= MAX_QUESTION_CHARS:
        return line
    head = line[: MAX_QUESTION_CHARS - len(CUT_MARK)]
    space = head.rfind(" ")
    if space > MAX_QUESTION_CHARS // 2:
        head = head[:space]
    return head.rstrip() + CUT_MARK


def clean_question(text: str) -> str:
    """Trim, collapse whitespace, drop control and zero-width characters and Discord mentions.

    Raises:
        QuestionError: nothing is left to ask, only symbols are, or it is over 500 characters.
    """
    if len(text or "") > MAX_RAW_QUESTION_CHARS:  # before any work: longer than a message can be
        raise QuestionError(_too_long(len(text)))
    text = clean_line(text)
    if not text:
        raise QuestionError("Please type a question about the article.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(_too_long(len(text)))
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("That has no words in it; please ask a question in words.")
    if not any(ch.isalpha() for ch in text):
        raise QuestionError("That is only a number; please ask a question in words.")
    return text


def _too_long(chars: int) -> str:
    return f"That question is {chars:,} characters long; please keep it under {MAX_QUESTION_CHARS}."


def scripts(text: str) -> Counter[str]:
    """How many letters of ``text`` each writing system holds (LATIN, CYRILLIC, CJK, ...)."""
    counts: Counter[str] = Counter()
    for ch in text:
        if ch.isalpha():
            counts[unicodedata.name(ch, "UNKNOWN ?").split(" ", 1)[0]] += 1
    return counts


def check_script(text: str, known: Collection[str]) -> None:
    """Refuse a question written mostly in a script the articles do not use.

    Raises:
        QuestionError: naming the script of the question and that of the articles.
    """
    counts = scripts(text)
    if not counts or not known:
        return
    main = counts.most_common(1)[0][0]
    if main not in known and counts[main] * 2 > sum(counts.values()):
        have = " and ".join(s.title() for s in sorted(known)[:2])
        raise QuestionError(
            f"That is written in {main.title()} script, and the articles are in {have}; "
            "please ask in the articles' language."
        )
