"""Questions as people type them, cleaned into something worth searching for."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 500

# Discord's mention and emoji markup: <@id>, <@!id>, <@&role>, <#channel>, <:name:id>,
# <a:name:id>, </command:id>, and the two mass pings.
_MENTION = re.compile(r"<(?:@[!&]?|#|/[\w -]+:)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b")
_SPACE = re.compile(r"\s+")


class QuestionError(ValueError):
    """A question that cannot be searched for; the message is what the asker is shown."""


def clean_question(text: str) -> str:
    """Trim, collapse whitespace, drop control and zero-width characters and Discord mentions.

    Raises:
        QuestionError: nothing is left to ask, only symbols are, or it is over 500 characters.
    """
    text = unicodedata.normalize("NFKC", text or "")
    # invisible characters first, so that none can hide a mention from the pattern below
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    text = _MENTION.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    if not text:
        raise QuestionError("Please type a question about the article.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(text):,} characters long; please keep it under {MAX_QUESTION_CHARS}."
        )
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("That has no words in it; please ask a question in words.")
    return text
