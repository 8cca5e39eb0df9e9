"""Questions recorded in a feedback store as the bot records them, for tests: one refused, one
answered from a passage."""

from __future__ import annotations

from bot.stores.feedback import FeedbackStore


def refused(store: FeedbackStore, question: str, *, user_id: int = 1, guild_id: int | None = None) -> int:
    """A question the articles did not cover; its ask id."""
    return store.record_ask(
        question,
        passage_ids=[],
        focus="",
        answered=False,
        results=3,
        user_id=user_id,
        confidence="not covered",
        guild_id=guild_id,
    )


def answered(
    store: FeedbackStore,
    question: str,
    passage_id: str = "a#p1",
    *,
    user_id: int = 1,
    guild_id: int | None = None,
    confidence: str = "high confidence",
    conversation: int | None = None,
    private: bool = False,
) -> int:
    """A question answered from ``passage_id`` (in ``conversation``, privately or not); its ask id."""
    return store.record_ask(
        question,
        passage_ids=[passage_id],
        focus=passage_id,
        answered=True,
        results=3,
        user_id=user_id,
        confidence=confidence,
        guild_id=guild_id,
        conversation=conversation,
        private=private,
    )
