"""Cards for the people who run citebot: the sources, the article list, an added or removed article."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.render.card import LIMITS, Card, Field, cut, escape, fit
from index import REMOVED_FOLDER, Article, Manifest, Refresh, Refused, RemovedArticle, without_paths

REASON_CHARS = 200


def plain_reason(reason: str) -> str:
    """Why a file was refused, as a server's managers may read it: one short line, with no
    path on the machine (a path is cut to its last part, a quoted one left out) and no YAML
    mark or quoted file line, whatever the core's message held (``without_paths``, which
    every ``CitebotError.user_message`` goes through too)."""
    return cut(without_paths(reason), REASON_CHARS)


def render_articles(
    manifest: Manifest,
    refused: tuple[Refused, ...],
    editable: bool,
    removed: Sequence[RemovedArticle] = (),
) -> Card:
    """Every indexed article with its id, the corpus folder's files that are not indexed, and
    the articles removed, which the operator can restore."""
    fields = [
        Field(
            cut(escape(a.title) or a.slug, LIMITS["field_name"]),
            cut(
                f"id `{a.slug}` · {a.passages} passages" + (f" · {escape(a.source)}" if a.source else ""),
                LIMITS["field_value"],
            ),
        )
        for a in manifest.articles
    ]
    notes = []
    if refused:
        lines = [
            f"• {escape(r.name)}: {escape(plain_reason(r.reason))}"
            + (" (its last good version is still answered)" if r.kept else "")
            for r in refused
        ]
        notes.append(Field("Files not indexed", cut("\n".join(lines), LIMITS["field_value"])))
    if removed:
        lines = [f"• `{r.slug}` on {r.removed_at}: `{r.folder}/`" for r in removed]
        notes.append(
            Field(
                "Removed (the operator can restore them)",
                cut("\n".join(lines), LIMITS["field_value"]),
            )
        )
    fields[:0] = notes
    description = f"{len(manifest.articles)} article(s), {manifest.passages} passages."
    description += (
        " Add one with `/article add`, remove one with `/article remove`."
        if editable
        else " The corpus is a single file, so articles cannot be added or removed from Discord."
    )
    card = fit(Card("Articles", description, tuple(fields[: LIMITS["fields"]]), "citebot", True, "📚"))
    listed = max(0, len(card.fields) - len(notes))
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
        f"Removed **{cut(escape(article.title), 200)}** (id `{article.slug}`): it is no longer answered "
        f"from (reindexed in {change.seconds:.1f} s). Its file is kept in the corpus folder's "
        f"`{REMOVED_FOLDER}` folder, from which the operator can restore it."
    )


def render_sources(manifest: Manifest) -> Card:
    """The indexed articles: title, source, passages, and when the index was built."""
    articles = manifest.articles
    fields = [
        Field(
            cut(escape(a.title) or a.slug, LIMITS["field_name"]),
            cut(
                escape(f"{a.source or 'no source given'} · {a.passages} passages · id {a.slug}"),
                LIMITS["field_value"],
            ),
        )
        for a in articles[: LIMITS["fields"]]
    ]
    more = len(articles) - len(fields)
    description = f"{len(articles)} article(s), {manifest.passages} passages, indexed at {manifest.built_at}."
    if more > 0:
        description += f" The first {len(fields)} are listed."
    return fit(Card("Sources", description, tuple(fields), "citebot", True, "📚"))
