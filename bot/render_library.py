"""Cards for the people who run citebot: the article list, an added or removed article."""

from __future__ import annotations

from dataclasses import replace

from bot.render import LIMITS, Card, Field, cut, escape, fit
from index.articles import Article, Refused
from index.library import Refresh
from index.store import Manifest


def render_articles(manifest: Manifest, refused: tuple[Refused, ...], editable: bool) -> Card:
    """Every indexed article with its id, and the corpus folder's files that are not indexed."""
    fields = [
        Field(
            cut(escape(a.title) or a.slug, LIMITS["field_name"]),
            cut(
                f"id `{a.slug}` · {a.passages} passages" + (f" · {escape(a.source)}" if a.source else ""),
                1024,
            ),
        )
        for a in manifest.articles
    ]
    if refused:
        lines = [
            f"• {escape(r.name)}: {escape(r.reason)}"
            + (" (its last good version is still answered)" if r.kept else "")
            for r in refused
        ]
        fields.insert(0, Field("Files not indexed", cut("\n".join(lines), LIMITS["field_value"])))
    description = f"{len(manifest.articles)} article(s), {manifest.passages} passages."
    description += (
        " Add one with `/article add`, remove one with `/article remove`."
        if editable
        else " The corpus is a single file, so articles cannot be added or removed from Discord."
    )
    card = fit(Card("Articles", description, tuple(fields[: LIMITS["fields"]]), "citebot", True, "📚"))
    listed = len(card.fields) - (1 if refused and card.fields else 0)
    if listed < len(manifest.articles):
        # said in the footer, which fit() keeps: the list is cut to Discord's limits
        card = fit(
            replace(card, footer=f"The first {listed} of {len(manifest.articles)} articles are listed.")
        )
    return card


def render_added(article: Article, passages: int, change: Refresh) -> str:
    """What the person who added an article is told."""
    return (
        f"Added **{cut(escape(article.title), 200)}** (id `{article.slug}`, {passages} passages), "
        f"indexed in {change.seconds:.1f} s: it is answered from now on."
    )


def render_removed(article: Article, change: Refresh) -> str:
    """What the person who removed an article is told."""
    return (
        f"Removed **{cut(escape(article.title), 200)}** (id `{article.slug}`): its file is deleted and "
        f"it is no longer answered from (reindexed in {change.seconds:.1f} s)."
    )
