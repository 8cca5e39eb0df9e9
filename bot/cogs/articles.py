"""``/article add|list|remove``: the articles citebot answers from, changed from Discord."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import config
from bot.access import allowed, may_change_shared_here
from bot.cogs.syncing import sync_now
from bot.delivery import tell
from bot.render.card import LIMITS, cut, escape
from bot.render.embed import NO_PINGS, card_embed
from bot.render.library import (
    plain_reason,
    render_added,
    render_articles,
    render_removed,
    render_synced,
    render_taken,
)
from index import (
    CHANGED_SINCE,
    MAX_TITLE_CHARS,
    REMOVED_FOLDER,
    UPLOAD_SUFFIXES,
    CitebotError,
    Draft,
    Fetcher,
    Library,
    Page,
    draft_from_file,
    draft_from_text,
    removal_pin,
    removed_articles,
    upload_limit,
)
from index import take as take_url

if TYPE_CHECKING:
    from bot.client import CiteBot

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 600  # a removal button older than this asks to be run again
CLOCK_SKEW_SECONDS = 60  # a removal button dated later than this ahead of now was not made here
EXPIRED = "This confirmation has expired; nothing was removed. Run `/article remove` again."
MAX_URL_CHARS = 2000  # an address longer than this is not a page anyone can give
BUSY_READING = "Not added: another URL is being read (one at a time); try again once it is done."
NOT_EDITABLE = "Articles cannot be added or removed here: the operator's CORPUS_PATH names a single file."


def added_by(user: discord.abc.User) -> str:
    return f"{user.name} ({user.id})"


def target(interaction: discord.Interaction[CiteBot], shared: bool) -> int | None:
    """The library a change goes to: the server's own (its id), or the shared one (None)."""
    return None if shared else interaction.guild_id


def passages_of(bot: CiteBot, where: int | None, slug: str) -> int:
    """How many passages an article of a library was indexed into."""
    library = bot.libraries.library(where)
    manifest = library.engine.manifest if library is not None else None
    return next((a.passages for a in manifest.articles if a.slug == slug), 0) if manifest else 0


async def take(
    interaction: discord.Interaction[CiteBot], make_draft: Callable[[], Draft], shared: bool = False
) -> None:
    """Check the article, write it into the library's folder (the server's own, unless
    ``shared``), index it, and say how it went."""
    bot = interaction.client
    where = target(interaction, shared)
    try:
        draft = await asyncio.to_thread(make_draft)  # HTML extraction takes a moment
        article, change = await bot.aside(bot.libraries.add, where, draft, added_by(interaction.user))
    except CitebotError as exc:  # the article or the change refused: the reason is for the user
        log.info("article not added (user %s): %s", interaction.user.id, exc.detail)
        await tell(interaction, f"Not added: {escape(plain_reason(exc.user_message))}.")
        return
    passages = await asyncio.to_thread(passages_of, bot, where, article.slug)
    log.info(
        "article %s added to library %s by user %s", article.slug, where or "shared", interaction.user.id
    )
    await tell(interaction, render_added(article, passages, change))


class SiteProgress:
    """How far the reading of a site has got, shown in the command's reply at most once a
    second ("12 of 40 pages…"); once the interaction's token is near its end (15 minutes), in a
    channel message sent once and edited after, where the final word goes too."""

    def __init__(self, interaction: discord.Interaction[CiteBot]) -> None:
        self.interaction = interaction
        self.started = time.monotonic()
        self.last = float("-inf")  # when progress was last shown
        self.message: discord.Message | None = None

    @property
    def expiring(self) -> bool:
        """Whether the interaction's token is too near its end to be used."""
        return time.monotonic() - self.started >= config.INTERACTION_LIFETIME

    async def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total <= 1 or now - self.last < config.PROGRESS_EVERY:
            return
        self.last = now  # set before the edit is awaited: a page done meanwhile is not shown twice
        await self.say(f"{done} of {total} pages…")

    async def say(self, text: str) -> None:
        """Show ``text`` where the user is looking: the command's reply, or the channel message
        once the token has expired."""
        text = cut(text, LIMITS["content"])
        if not self.expiring:
            await tell(self.interaction, text)
            return
        channel = self.interaction.channel
        try:
            if self.message is not None:
                await self.message.edit(content=text, allowed_mentions=NO_PINGS)
            elif isinstance(channel, discord.abc.Messageable):
                self.message = await channel.send(text, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning("could not show the progress of a site in its channel: %s", exc)


async def take_from_web(
    interaction: discord.Interaction[CiteBot], url: str, crawl: bool, shared: bool = False
) -> None:
    """Fetch what ``url`` gives (a page, a PDF, a sitemap's pages, or with ``crawl`` a page and
    its links), add it in one rebuild to the library (the server's own, unless ``shared``), keep
    each article's sync state, and say how it went."""
    bot = interaction.client
    where = target(interaction, shared)
    progress = SiteProgress(interaction)
    try:
        web = bot.config.web
        async with Fetcher.configured(web) as fetcher:
            taken = await take_url(
                fetcher,
                url,
                crawl=crawl,
                max_pages=web.max_pages,
                max_bytes=web.max_add_bytes,
                progress=progress,
            )
        states = await bot.database(bot.sources_of, where)
        known = {s.url: s.slug for s in await bot.database(states.all)} if states is not None else {}
        library = await asyncio.to_thread(bot.libraries.library, where)
        fresh: list[Page] = []
        refused = list(taken.refused)
        for page in taken.pages:  # a page added before is synced, not added again
            slug = known.get(page.draft.url) or known.get(page.source.url)
            if slug is not None and library is not None and library.find(slug) is not None:
                refused.append((page.source.url, f"already added as {slug}; /article sync updates it"))
            else:
                fresh.append(page)
        drafts = [p.draft for p in fresh]
        added = await bot.aside(bot.libraries.add_many, where, drafts, added_by(interaction.user))
    except CitebotError as exc:  # the URL itself, or the change, refused: the reason is for the user
        log.info("nothing added from a URL (user %s): %s", interaction.user.id, exc.detail)
        await progress.say(f"Not added: {escape(plain_reason(exc.user_message))}.")
        return
    now = time.time()
    states = await bot.database(bot.sources_of, where) if added.articles else None
    for article in added.articles:
        page = next((p for p in fresh if p.draft.url == article.url), None)
        if page is not None and states is not None:
            await bot.database(states.put, page.state(article.slug, now))
    passages = {a.slug: await asyncio.to_thread(passages_of, bot, where, a.slug) for a in added.articles}
    log.info(
        "%d article(s) added from a URL by user %s (%d refused)",
        len(added.articles),
        interaction.user.id,
        len(refused) + len(added.refused),
    )
    text = render_taken(
        url,
        [(a, passages.get(a.slug, 0)) for a in added.articles],
        [*refused, *added.refused],
        taken.listed,
        len(taken.pages) + len(taken.refused),
        added.change if added.articles else None,
        taken.unread,
    )
    await progress.say(text)


class PasteArticle(discord.ui.Modal, title="Add an article"):
    """A form for an article's title and text, for articles not at hand as a file."""

    def __init__(self, title: str = "", shared: bool = False) -> None:
        super().__init__(timeout=900)
        self.shared = shared
        self.heading: discord.ui.TextInput = discord.ui.TextInput(
            label="Title", custom_id="title", max_length=MAX_TITLE_CHARS, default=title or None
        )
        self.body: discord.ui.TextInput = discord.ui.TextInput(
            label="Text",
            custom_id="text",
            style=discord.TextStyle.paragraph,
            max_length=LIMITS["text_input"],
            placeholder="The article's text; a blank line between paragraphs. Longer? Attach a file.",
        )
        self.add_item(self.heading).add_item(self.body)

    async def on_submit(self, interaction: discord.Interaction[CiteBot]) -> None:
        if not await allowed(interaction, changing=True, shared=self.shared):
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        title, text = self.heading.value, self.body.value
        await take(interaction, lambda: draft_from_text(title, text), self.shared)

    async def on_error(self, interaction: discord.Interaction[CiteBot], error: Exception) -> None:
        log.error("adding a pasted article failed", exc_info=error)
        await tell(interaction)


class ConfirmRemoval(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"art:rm:(?:(?P<where>[sg])/)?(?P<slug>[a-z0-9-]+):(?:(?P<pin>[0-9a-f]{12}):)?(?P<at>\d+)",
):
    """The button that removes an article, once its remover confirms. Its custom id names the
    library (``s`` the shared, ``g`` the server's own: the server the button is clicked in), the
    article, and pins the version shown (``removal_pin``): a stale button never removes another
    file that has taken the id since. A button from before the pin (none in its id), or dated
    outside the last ten minutes, has expired."""

    def __init__(self, slug: str, pin: str | None, at: int, shared: bool = False) -> None:
        where = "s" if shared else "g"
        custom_id = f"art:rm:{where}/{slug}:{pin}:{at}" if pin else f"art:rm:{where}/{slug}:{at}"
        super().__init__(
            discord.ui.Button(label="Remove", style=discord.ButtonStyle.danger, custom_id=custom_id)
        )
        self.slug, self.pin, self.at, self.shared = slug, pin, at, shared

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[CiteBot], item: discord.ui.Button, match: re.Match[str], /
    ) -> ConfirmRemoval:
        return cls(match["slug"], match["pin"], int(match["at"]), match["where"] == "s")

    def refusal(self, library: Library | None) -> str | None:
        """Why this button may not remove anything (expired, or the article changed), or None."""
        age = time.time() - self.at
        if self.pin is None or not -CLOCK_SKEW_SECONDS <= age <= CONFIRM_SECONDS:
            return EXPIRED
        article = library.find(self.slug) if library is not None else None
        if article is None:
            return f"No article has the id `{self.slug}` any more; nothing was removed."
        if removal_pin(article) != self.pin:
            return f"Not removed: {CHANGED_SINCE}. Run `/article remove` again."
        return None

    async def callback(self, interaction: discord.Interaction[CiteBot]) -> None:
        bot = interaction.client
        if not await allowed(interaction, changing=True, shared=self.shared):
            return
        where = target(interaction, self.shared)
        library = await asyncio.to_thread(bot.libraries.library, where)
        refusal = await asyncio.to_thread(self.refusal, library)  # hashes the article's text
        if refusal:
            await tell(interaction, refusal)
            return
        await interaction.response.defer()  # a rebuild can take longer than Discord's 3 s
        try:
            article, change = await bot.aside(bot.libraries.remove, where, self.slug, self.pin)
        except CitebotError as exc:
            log.info("article %s not removed (user %s): %s", self.slug, interaction.user.id, exc.detail)
            text = f"Not removed: {escape(plain_reason(exc.user_message))}."
        else:
            log.info("article %s removed by user %s", article.slug, interaction.user.id)
            states = await bot.database(bot.sources_of, where)
            if states is not None:
                await bot.database(states.forget, article.slug)  # synced no more
            text = render_removed(article, change)
        await interaction.edit_original_response(content=text, view=None, allowed_mentions=NO_PINGS)


class KeepArticle(discord.ui.DynamicItem[discord.ui.Button], template=r"art:keep"):
    """The button that changes the remover's mind."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(label="Keep it", style=discord.ButtonStyle.secondary, custom_id="art:keep")
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[CiteBot], item: discord.ui.Button, match: re.Match[str], /
    ) -> KeepArticle:
        return cls()

    async def callback(self, interaction: discord.Interaction[CiteBot]) -> None:
        await interaction.response.edit_message(content="Kept: nothing was removed.", view=None)


@app_commands.guild_only()
class Articles(
    commands.GroupCog, group_name="article", group_description="The articles citebot answers from"
):
    """Adding, listing and removing articles (server managers and the editor role)."""

    def __init__(self, bot: CiteBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[CiteBot]) -> bool:
        return await allowed(interaction)

    @app_commands.command(name="add")
    @app_commands.describe(
        file="A .txt, .md, .html or .pdf file with the article (leave out to paste the text instead)",
        title="The article's title (default: the one in the file)",
        url="A web page, PDF or sitemap to fetch (https://...); a sitemap adds every page it lists",
        crawl="With url: also add the pages it links to on the same site, one level deep",
        shared="Add to the shared library every server answers from (the bot's owners only)",
    )
    async def add(
        self,
        interaction: discord.Interaction[CiteBot],
        file: discord.Attachment | None = None,
        title: app_commands.Range[str, 1, MAX_TITLE_CHARS] | None = None,
        url: app_commands.Range[str, 1, MAX_URL_CHARS] | None = None,
        crawl: bool = False,
        shared: bool = False,
    ) -> None:
        """Add an article to this server's library from a file, a web page or a whole site, or
        paste its text."""
        if shared and not self.bot.library.editable:
            await tell(interaction, NOT_EDITABLE)
            return
        if not await allowed(interaction, changing=True, shared=shared):
            return
        if url is not None:
            if file is not None:
                await tell(interaction, "Not added: give a file or a url, not both.")
                return
            if self.bot.web_add_lock.locked():  # a site can be hundreds of pages: one at a time
                await tell(interaction, BUSY_READING)
                return
            await interaction.response.defer(thinking=True, ephemeral=True)
            self.bot.track()  # a stop lets the site finish (or says so)
            async with self.bot.web_add_lock:
                await take_from_web(interaction, url.strip(), crawl, shared)
            return
        if crawl:
            await tell(interaction, "Not added: `crawl` goes with a `url`.")
            return
        if file is None:
            await interaction.response.send_modal(PasteArticle(title or "", shared))
            return
        name = cut(escape(file.filename), 100)
        if Path(file.filename).suffix.lower() not in UPLOAD_SUFFIXES:
            await tell(interaction, f"Not added: {name} is not a .txt, .md, .html or .pdf file.")
            return
        limit = upload_limit(file.filename)
        if file.size > limit:
            await tell(interaction, f"Not added: {name} is {file.size:,} bytes; {limit:,} at most.")
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            data = await file.read()
        except (discord.HTTPException, discord.NotFound) as exc:
            log.warning("could not download an attachment: %s", exc)
            await tell(
                interaction, "Not added: the file could not be downloaded from Discord; please try again."
            )
            return
        await take(interaction, lambda: draft_from_file(file.filename, data, title or ""), shared)

    @app_commands.command(name="list")
    async def list(self, interaction: discord.Interaction[CiteBot]) -> None:
        """The articles citebot answers from here, with their ids, and any files it could not read."""
        bot = self.bot
        view = await bot.view_of(interaction.guild_id)
        own = await asyncio.to_thread(bot.libraries.library, interaction.guild_id)
        folder = bot.libraries.articles_folder(interaction.guild_id)
        removed = await asyncio.to_thread(removed_articles, folder) if folder is not None else []
        states = await bot.database(bot.source_states, view)
        guild_id = interaction.guild_id
        assert guild_id is not None  # guild_only
        operators = bot.library.refused if may_change_shared_here(bot, guild_id) else ()
        card = render_articles(
            view.engine.manifest,
            (*(own.refused if own is not None else ()), *operators),
            True,
            removed,
            states,
            shared=frozenset(a.slug for a in view.engine.sources() if a.slug not in view.own),
        )
        await interaction.response.send_message(
            embed=card_embed(card), ephemeral=True, allowed_mentions=NO_PINGS
        )

    @app_commands.command(name="remove")
    @app_commands.describe(
        id="The article's id, e.g. nk-troops (start typing to choose)",
        shared="Remove from the shared library (the bot's owners only)",
    )
    async def remove(
        self,
        interaction: discord.Interaction[CiteBot],
        id: app_commands.Range[str, 1, 100],
        shared: bool = False,
    ) -> None:
        """Remove an article of this server's library (asks first); it is no longer answered from."""
        if shared and not self.bot.library.editable:
            await tell(interaction, NOT_EDITABLE)
            return
        if not await allowed(interaction, changing=True, shared=shared):
            return
        where = target(interaction, shared)
        library = await asyncio.to_thread(self.bot.libraries.library, where)
        article = library.find(id) if library is not None else None
        if article is None:
            await tell(
                interaction, f"No article has the id “{cut(escape(id), 80)}”; `/article list` shows them."
            )
            return
        if shared and len(library.articles()) == 1:
            await tell(interaction, "That is the only article; add another before removing it.")
            return
        passages = passages_of(self.bot, where, article.slug)
        view = discord.ui.View(timeout=None)
        confirm = ConfirmRemoval(article.slug, removal_pin(article), int(time.time()), shared)
        view.add_item(confirm).add_item(KeepArticle())
        library_name = "the shared library" if shared else "this server's library"
        await interaction.response.send_message(
            f"Remove **{cut(escape(article.title), 200)}** (id `{article.slug}`, {passages} passages) "
            f"from {library_name}? citebot stops answering from it; its file is moved to the library's "
            f"`{REMOVED_FOLDER}` folder, from which the operator can restore it.",
            view=view,
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @app_commands.command(name="sync")
    @app_commands.describe(
        id="One article's id (default: every article added from a URL)",
        shared="Sync the shared library's articles (the bot's owners only)",
    )
    async def sync(
        self,
        interaction: discord.Interaction[CiteBot],
        id: app_commands.Range[str, 1, 100] | None = None,
        shared: bool = False,
    ) -> None:
        """Check the articles this server added from the web now, and bring in those that changed."""
        bot = self.bot
        if shared and not bot.library.editable:
            await tell(interaction, NOT_EDITABLE)
            return
        if not await allowed(interaction, changing=True, shared=shared):
            return
        where = target(interaction, shared)
        slug = id.strip() if id else None
        states = await bot.database(bot.sources_of, where)
        if slug is not None and (states is None or await bot.database(states.get, slug) is None):
            library = await asyncio.to_thread(bot.libraries.library, where)
            known = library is not None and library.find(slug) is not None
            await tell(
                interaction,
                f"The article `{cut(escape(slug), 80)}` was not added from a URL; there is nothing to sync."
                if known
                else f"No article has the id “{cut(escape(slug), 80)}”; `/article list` shows them.",
            )
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        bot.track()
        report = await sync_now(bot, slug, where)
        log.info("/article sync by user %s: %s", interaction.user.id, report.summary())
        await tell(interaction, render_synced(report.unchanged, report.updated, report.gone, report.failed))

    @remove.autocomplete("id")
    @sync.autocomplete("id")
    async def article_choices(
        self, interaction: discord.Interaction[CiteBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """The articles of the library the command acts on: this server's own, or (``shared``
        given) the shared library's."""
        typed = current.strip().lower()
        shared = bool(getattr(interaction.namespace, "shared", False))
        library = await asyncio.to_thread(self.bot.libraries.library, target(interaction, shared))
        articles = library.engine.manifest.articles if library is not None else ()
        return [
            app_commands.Choice(name=cut(f"{a.slug} · {a.title}", 100), value=a.slug)
            for a in articles
            if not typed or typed in a.slug or typed in a.title.lower()
        ][:25]


async def setup(bot: CiteBot) -> None:
    await bot.add_cog(Articles(bot))
    bot.add_dynamic_items(ConfirmRemoval, KeepArticle)
