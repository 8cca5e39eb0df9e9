"""Cards for the people who run citebot: the sources, the article list, an added or removed article."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from bot.render.answer import web_address
from bot.render.card import LIMITS, Card, Field, cut, escape, fit
from index import (
    REMOVED_FOLDER,
    Article,
    Manifest,
    Refresh,
    Refused,
    RemovedArticle,
    SourceState,
    without_paths,
)

REASON_CHARS = 200
URL_LABEL_CHARS = 80  # how much of an address a link shows
MAX_LINK_CHARS = 400  # a longer address is shown, not linked
GONE = "gone upstream"


def plain_reason(reason: str) -> str:
    """Why a file was refused, as a server's managers may read it: one short line, with no
    path on the machine (a path is cut to its last part, a quoted one left out) and no YAML
    mark or quoted file line, whatever the core's message held (``without_paths``, which
    every ``CitebotError.user_message`` goes through too)."""
    return cut(without_paths(reason), REASON_CHARS)


def when(seconds: float) -> str:
    """A time as every card shows it: ``2026-11-29 15:40 UTC``."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def web_link(url: str) -> str:
    """An address as a link showing its host and path (escaped; an address a link cannot carry
    is shown as text)."""
    label = cut(escape(url.split("://", 1)[-1]), URL_LABEL_CHARS)
    address = web_address(url)
    if address is None or len(address) > MAX_LINK_CHARS:
        return label
    return f"[{label}]({address})"


def plain_link(url: str) -> str:
    """An address in a message's text: linked without a preview (``<...>``), or shown as text
    when a link cannot carry it."""
    address = web_address(url)
    if address is None or len(address) > MAX_LINK_CHARS:
        return cut(escape(url), URL_LABEL_CHARS)
    return f"<{address}>"


def gone_note(state: SourceState) -> str:
    """What /article list says of an article whose page has gone (404, 410)."""
    return (
        f"⚠️ {GONE} (found at the check of {when(state.checked)}); the last good version, "
        f"fetched {when(state.fetched)}, is answered from"
    )


def source_line(state: SourceState) -> str:
    """Where an article was fetched from, when it was last checked and when it last changed,
    and whether its page has gone or the last check failed."""
    line = f"{web_link(state.url)} · checked {when(state.checked)} · changed {when(state.changed)}"
    if state.gone:
        return f"{line}\n{gone_note(state)}"
    if state.problem:
        return f"{line}\nlast check failed: {escape(plain_reason(state.problem))}"
    return line


def _with_source(value: str, state: SourceState | None) -> str:
    """A field's value with its article's source line after it; the source line is kept whole
    where it fits (the value before it is cut instead)."""
    if state is None:
        return cut(value, LIMITS["field_value"])
    line = cut(source_line(state), LIMITS["field_value"] // 2)
    if line.endswith("…") and "](" in line:  # a cut link would show as broken markdown
        line = cut(escape(state.url), LIMITS["field_value"] // 2)
    return f"{cut(value, LIMITS['field_value'] - len(line) - 1)}\n{line}"


def render_articles(
    manifest: Manifest,
    refused: tuple[Refused, ...],
    editable: bool,
    removed: Sequence[RemovedArticle] = (),
    states: Mapping[str, SourceState] | None = None,
    shared: Collection[str] = (),
) -> Card:
    """Every indexed article with its id (and, for one fetched from the web, its address and
    whether its page has gone), the corpus folder's files that are not indexed, and the
    articles removed, which the operator can restore.

    Args:
        states: the sync states of the articles fetched from a URL, by article id.
        shared: the ids of the articles of the shared library (the others are the server's own).
    """
    states = states or {}
    fields = [
        Field(
            cut(escape(a.title) or a.slug, LIMITS["field_name"]),
            _with_source(
                f"id `{a.slug}` · {a.passages} passages"
                + (f" · {escape(a.source)}" if a.source else "")
                + (" · shared library" if a.slug in shared else ""),
                states.get(a.slug),
            ),
        )
        for a in manifest.articles
    ]
    notes = []
    gone = [states[a.slug] for a in manifest.articles if a.slug in states and states[a.slug].gone]
    if gone:
        lines = [f"• `{s.slug}` since the check of {when(s.checked)}" for s in gone]
        notes.append(
            Field(
                f"Gone upstream: the last good version is answered from ({len(gone)})",
                cut("\n".join(lines), LIMITS["field_value"]),
            )
        )
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


def render_sources(manifest: Manifest, states: Mapping[str, SourceState] | None = None) -> Card:
    """The indexed articles: title, source, passages, and when the index was built; for an
    article fetched from the web, its address, when it was last checked and last changed.

    Args:
        states: the sync states of the articles fetched from a URL, by article id.
    """
    states = states or {}
    articles = manifest.articles
    fields = [
        Field(
            cut(escape(a.title) or a.slug, LIMITS["field_name"]),
            _with_source(
                escape(f"{a.source or 'no source given'} · {a.passages} passages · id {a.slug}"),
                states.get(a.slug),
            ),
        )
        for a in articles[: LIMITS["fields"]]
    ]
    description = f"{len(articles)} article(s), {manifest.passages} passages, indexed at {manifest.built_at}."
    card = fit(Card("Sources", description, tuple(fields), "citebot", True, "📚"))
    if len(card.fields) < len(articles):
        card = fit(replace(card, description=f"{description} The first {len(card.fields)} are listed."))
    return card


def _reason_line(name: str, reason: str) -> str:
    """One refused page or file: its address (or name) and why, the address said once."""
    why = plain_reason(reason)
    shown = why if why.startswith(name) else f"{name}: {why}"
    return f"• {escape(shown)}"


def _lines_within(lines: Sequence[str], budget: int, more: str) -> list[str]:
    """As many of ``lines`` as fit in ``budget`` characters, then ``more`` (formatted with the
    number left out) when some were."""
    kept: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        tail = len(more.format(len(lines) - i)) + 1 if i < len(lines) - 1 else 0
        if used + len(line) + 1 + tail > budget:
            kept.append(more.format(len(lines) - i))
            break
        kept.append(line)
        used += len(line) + 1
    return kept


def render_taken(
    url: str,
    added: Sequence[tuple[Article, int]],
    refused: Sequence[tuple[str, str]],
    listed: int,
    taken: int,
    change: Refresh | None,
    unread: bool = False,
) -> str:
    """What the person who added a URL is told: the articles added (title, id, passages) and
    the pages refused with why, within one message.

    Args:
        url: the URL given.
        added: each article added, with its passages.
        refused: the pages (address, why) not added.
        listed: the pages the URL listed (a sitemap's or a crawl's count, before MAX_PAGES).
        taken: the pages read (at most MAX_PAGES).
        change: the one rebuild that indexed them (None when nothing was added).
        unread: child sitemaps were left unread once enough pages were in hand (``listed`` is a
            floor).
    """
    if len(added) == 1 and not refused and listed == 1 and change is not None:
        article, passages = added[0]
        return render_added(article, passages, change)
    if not added and len(refused) == 1 and listed == 1:
        return f"Not added: {escape(plain_reason(refused[0][1]))}."
    where = plain_link(url)
    head = (
        f"Added {len(added)} of {taken} page(s) from {where}, indexed once in {change.seconds:.1f} s: "
        "they are answered from now on."
        if added and change is not None
        else f"Nothing was added from {where}."
    )
    if listed > taken:
        floor = "at least " if unread else ""
        head += f" It listed {floor}{listed:,} pages; the first {taken} were read (MAX_PAGES)."
    added_lines = [
        f"• **{cut(escape(a.title), 120)}** (`{a.slug}`, {passages} passages)" for a, passages in added
    ]
    refused_lines = [_reason_line(name, why) for name, why in refused]
    budget = LIMITS["content"] - len(head) - 40
    share = budget if not refused_lines else budget // 2 if added_lines else 0
    parts = [head]
    if added_lines:
        parts += _lines_within(added_lines, share, "… and {} more (`/article list` shows them)")
    if refused_lines:
        parts.append(f"Refused ({len(refused_lines)}):")
        parts += _lines_within(refused_lines, budget - sum(len(p) + 1 for p in parts[1:]), "… and {} more")
    return cut("\n".join(parts), LIMITS["content"])


def render_synced(
    unchanged: Sequence[str],
    updated: Sequence[str],
    gone: Sequence[str],
    failed: Sequence[tuple[str, str]],
) -> str:
    """What ``/article sync`` says: how many pages were unchanged, and the ids updated, gone
    upstream and failing (with why), within one message."""
    checked = len(unchanged) + len(updated) + len(gone) + len(failed)
    if not checked:
        return "No article added from a URL to check: `/article add url:` adds one."
    head = f"Checked {checked} article(s) from the web: {len(unchanged)} unchanged."
    parts = [head]
    if updated:
        parts.append(f"Updated and reindexed: {', '.join(f'`{slug}`' for slug in updated)}.")
    if gone:
        parts.append(
            f"Gone upstream (the last good version is answered from): {', '.join(f'`{s}`' for s in gone)}."
        )
    if failed:
        parts.append("Failed (checked again next time):")
        used = sum(len(p) + 1 for p in parts)
        lines = [f"• `{slug}`: {escape(plain_reason(why))}" for slug, why in failed]
        parts += _lines_within(lines, LIMITS["content"] - used - 20, "… and {} more")
    return cut("\n".join(parts), LIMITS["content"])
