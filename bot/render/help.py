"""The /help card: how to ask, with questions the articles answer."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.card import LIMITS, Card, Field, cut, escape, fit


def example_questions(topics: Sequence[str], limit: int = 3) -> list[str]:
    """Questions to try about ``topics`` (the sections of the indexed articles, else their
    titles: index/answering/catalogue.py)."""
    return [f"What does the article say about {topic}?" for topic in topics[:limit]]


def render_help(examples: list[str], limit_note: str = "") -> Card:
    """How to ask, with example questions that the article answers."""
    how = (
        "Ask a question about the article and I answer with its own words: the sentence that answers, "
        "in bold, inside the cited passages. If the article does not cover it, I say so.\n\n"
        "**Ways to ask**\n"
        "• `/ask question:…` (add `private:true` to see the answer alone)\n"
        "• mention me followed by your question\n"
        "• in a direct message\n\n"
        "**Also**\n• `/passage id:…` one passage with its neighbours\n• `/sources` the indexed articles\n"
        "• `/stats` how much citebot is asked here\n\n"
        "**For server managers**\n• `/article add|list|remove` the articles\n"
        "• `/gaps` what was asked and not answered\n• `/settings` citebot in this server"
    )
    if limit_note:
        how += f"\n\n{limit_note}"
    fields = (Field("Try", "\n".join(f"• {escape(q)}" for q in examples)),) if examples else ()
    return fit(Card("How to ask citebot", cut(how, LIMITS["description"]), fields, "citebot", True, "💡"))
