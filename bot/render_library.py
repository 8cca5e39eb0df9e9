"""Cards for the people who run citebot: the article list, an added or removed article."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.render import LIMITS, Card, Field, cut, escape, fit
from index.articles import Article, Refused
from index.library import Refresh
from index.removed import REMOVED_FOLDER, RemovedArticle
from index.store import Manifest

REASON_CHARS = 200
_ERRNO = re.compile(r"\[Errno -?\d+\] ")
_QUOTED_PATH = re.compile(r"""(?:: | -> )?'(?:/|[A-Za-z]:\\)[^']*'""")
_BARE_PATH = re.compile(r"(?<![\w.~/])(?:/|[A-Za-z]:\\)(?:[^\s/\\'\"]+[/\\])+([^\s/\\'\"]*)")


def plain_reason(reason: str) -> str:
    """Why a file was refused, as a server's managers may read it: one short line, with no
    path on the machine (a path is cut to its last part, a quoted one left out) and no YAML
    mark or quoted file line, whatever the core's message held."""
    lines = [line.strip() for line in reason[:2000].splitlines() if line.strip() and not line[:1].isspace()]
    text = "; ".join(lines)
    text = _QUOTED_PATH.sub("", _ERRNO.sub("", text))
    text = _BARE_PATH.sub(lambda m: m.group(1), text)
    return cut(text.strip(" :;"), REASON_CHARS)


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
                1024,
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
