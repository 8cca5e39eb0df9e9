"""The reports for the people who run citebot, as cards: what was not answered well (/gaps)
and how much it is used (/stats); the same in Discord and in the console."""

from __future__ import annotations

import time
from dataclasses import replace

from bot.render.card import LIMITS, Card, Field, cut, escape, fit
from bot.stores.feedback import Usage
from bot.stores.forum_posts import ForumUsage
from index import QuestionGroup

GROUPS_SHOWN = 15


def when(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(moment))


def render_gaps(groups: list[QuestionGroup], days: int) -> Card:
    """Questions not answered well, grouped by what they ask, most asked first."""
    asked = sum(g.count for g in groups)
    title = f"Gaps: the last {days} day(s)"
    if not groups:
        text = (
            f"Nothing to report: in the last {days} day(s) every question was answered with "
            "confidence and none got 👎."
        )
        return Card(title, text, (), "citebot", True, "🕳")
    fields = []
    for g in groups[:GROUPS_SHOWN]:
        why = " · ".join(f"{reason} {n}" for reason, n in g.reasons)
        value = f"{why} · last asked {when(g.last_asked)}"
        if g.variants:
            value += "\nAlso asked as: " + "; ".join(f"“{escape(v)}”" for v in g.variants[:3])
        fields.append(
            Field(
                cut(f"{g.count}× {escape(g.wording)}", LIMITS["field_name"]),
                cut(value, LIMITS["field_value"]),
            )
        )
    description = (
        f"{asked} question(s) not answered, answered with low confidence, or given 👎, in "
        f"{len(groups)} group(s) of like questions, most asked first."
    )
    footer = "Articles that answer these would close the gaps."
    card = fit(Card(title, description, tuple(fields), footer, False, "🕳"))
    if len(card.fields) < len(groups):  # cut to Discord's limits: said where fit() keeps it
        shown = len(card.fields)
        card = fit(replace(card, footer=f"The {shown} most asked of {len(groups)} groups are shown."))
    return card


def render_usage(usage: Usage, days: int, forum: ForumUsage | None = None) -> Card:
    """Questions per day, the share answered, and the feedback; with ``forum``, the share of the
    forum posts answered that were marked solved (when there were any)."""
    title = f"Stats: the last {days} day(s)"
    if not usage.asked:
        return Card(title, f"No questions in the last {days} day(s).", (), "citebot", True, "📊")
    share = usage.answered / usage.asked
    description = (
        f"{usage.asked} question(s) from {usage.people} {'person' if usage.people == 1 else 'people'}; "
        f"{usage.answered} answered "
        f"({share:.0%}), {usage.asked - usage.answered} not covered by the articles.\n"
        f"Feedback: 👍 {usage.up} · 👎 {usage.down}"
    )
    if forum is not None and forum.answered:
        description += (
            f"\nForum posts: {forum.answered} answered, {forum.solved} marked solved "
            f"({forum.share_solved:.0%})."
        )
    lines = [f"`{d.day}` {d.asked} asked · {d.answered} answered" for d in usage.days]
    fields = (Field("Questions per day", cut("\n".join(lines), LIMITS["field_value"])),)
    return fit(Card(title, description, fields, "Days without questions are left out.", True, "📊"))
