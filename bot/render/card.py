"""The card every surface shows (an embed's parts as plain data), and Discord's limits, which
every text is cut to here and nowhere else."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
LIMITS = {
    "content": 2000,
    "title": 256,
    "description": 4096,
    "field_name": 256,
    "field_value": 1024,
    "fields": 25,
    "footer": 2048,
    "total": 6000,
    "thread_name": 100,
    "choice": 100,  # an autocomplete choice's name and value
    "choices": 25,  # autocomplete choices shown
    "text_input": 4000,  # a text box in a form
    "tags": 5,  # tags on one forum post
}
_MARKDOWN = re.compile(r"([\\*_`~|<\[\]])")  # emphasis, code, spoilers, mentions, masked links
_LINE_START = re.compile(r"^([>#-])")
_SPACE = re.compile(r"\s+")
# a masked link the renderers made (article text has its brackets escaped, so is never one)
_MASKED_LINK = re.compile(r"(?<!\\)\[((?:[^\[\]\\]|\\.)*)\]\((https?://[^\s()<>]+)\)")


@dataclass(frozen=True)
class Field:
    name: str
    value: str


@dataclass(frozen=True)
class Card:
    """What one answer looks like: an embed's parts, as plain data."""

    title: str
    description: str
    fields: tuple[Field, ...]
    footer: str
    answered: bool
    icon: str = "❓"  # what the console shows before the title


def escape(text: str) -> str:
    """Text from the article or the asker, escaped so that it shows as typed."""
    flat = _SPACE.sub(" ", text).strip()
    return _LINE_START.sub(r"\\\1", _MARKDOWN.sub(r"\\\1", flat))


def cut(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters at a word boundary, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    if head.endswith("\\") and not head.endswith("\\\\"):
        head = head[:-1]  # never leave half an escape
    return head.rstrip() + "…"


def total_chars(card: Card) -> int:
    return (
        len(card.title)
        + len(card.description)
        + len(card.footer)
        + sum(len(f.name) + len(f.value) for f in card.fields)
    )


def fit(card: Card) -> Card:
    """Drop trailing fields until the whole embed is within Discord's 6,000 characters."""
    fields = list(card.fields)
    while fields and total_chars(replace(card, fields=tuple(fields))) > LIMITS["total"]:
        fields.pop()
    return replace(card, fields=tuple(fields))


def plain_links(text: str) -> str:
    """Masked links (``[label](url)``) as a terminal shows them: the label, then the address."""
    return _MASKED_LINK.sub(r"\1: \2", text)


def render_text(card: Card) -> str:
    """The card as terminal text: the same words, in the same order, as the Discord embed, and
    the address of every link, which a terminal cannot hide behind its label."""
    lines = [f"{card.icon} {card.title}", "", plain_links(card.description)]
    for f in card.fields:
        lines += ["", f.name, plain_links(f.value)]
    lines += ["", f"— {card.footer}"]
    return "\n".join(lines)
