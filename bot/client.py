"""The Discord bot: a ``commands.Bot`` with the library, config and stores injected."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.batching import Batcher
from bot.command_sync import SyncRecord, sync_commands
from bot.config import API_VERSION, BotConfig, RateLimit
from bot.delivery import tell
from bot.ratelimit import RateLimiter
from bot.render.card import escape
from bot.render.embed import NO_PINGS
from bot.stores.feedback import FeedbackStore
from bot.stores.forum_posts import ForumPosts
from bot.stores.guild_settings import GuildSettings, GuildSettingsStore, Overrides, in_force
from index import MAX_K, SHARED, Answer, CitebotError, Libraries, Library, SourceState, SourceStates, View

log = logging.getLogger(__name__)

T = TypeVar("T")
SHUTDOWN_GRACE = 10.0  # seconds pending answers get to finish when the bot is stopped
# seconds discord.py waits after the last server streamed in before the bot is ready (its own
# default: servers arrive one by one from Discord; the wire tests' fake sends them at once)
GUILD_READY_TIMEOUT = 2.0
# the bot's areas, loaded by name in this order (each module ends in ``setup(bot)``)
EXTENSIONS = (
    "bot.cogs.asking",
    "bot.cogs.ask_message",
    "bot.cogs.buttons",
    "bot.cogs.articles",
    "bot.cogs.reports",
    "bot.cogs.server_settings",
    "bot.cogs.watcher",
    "bot.cogs.retention",
    "bot.cogs.syncing",
    "bot.cogs.forums",
)
# stopped first when the bot stops
BACKGROUND = ("bot.cogs.watcher", "bot.cogs.retention", "bot.cogs.syncing")


@dataclass(frozen=True)
class QueuedAsk:
    """One question for the model: how many passages, who asked (None: not recorded), and the
    earlier questions of its conversation (oldest first) that a follow-up is read with."""

    question: str
    k: int
    user_id: int | None
    guild_id: int | None = None
    history: tuple[str, ...] = ()
    # the thread or reply chain it was asked in (a thread's id, a chain's first question's
    # message id; None: none), and whether only the asker sees it (never history, then)
    conversation: int | None = None
    private: bool = False
    shared: bool = True  # answered from the shared library too (the server's /settings)


# What the bot needs in a channel: read, reply (also in threads), embed answers, open threads,
# and set a forum post's "Solved" tag.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    read_message_history=True,
    manage_threads=True,
)


def intents_for(config: BotConfig, channels_set_in_servers: bool = False) -> discord.Intents:
    """Guilds and messages; message content only when whole channels or forums are questions (in
    ``.env`` or some server's /settings), since Discord sends mentions' and DMs' content without it."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = (
        bool(config.answer_channel_ids or config.forum_channel_ids) or channels_set_in_servers
    )
    return intents


class CiteTree(app_commands.CommandTree):
    """Slash commands: allow-lists checked once, errors translated once."""

    async def interaction_check(self, interaction: discord.Interaction[CiteBot]) -> bool:
        bot = interaction.client
        reason = bot.refusal_for(
            interaction.guild_id, interaction.channel_id, getattr(interaction.channel, "parent_id", None)
        )
        if reason is None:
            return True
        if interaction.type is discord.InteractionType.application_command:
            await tell(interaction, reason)
        elif interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
        return False

    async def on_error(
        self, interaction: discord.Interaction[CiteBot], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            return  # the check has told the user why
        cause = getattr(error, "original", error)
        if isinstance(cause, discord.NotFound) and cause.code in (10062, 10015):
            # the interaction expired (or was answered elsewhere) before we could reply: routine,
            # and nothing more can be said to the user through it
            log.warning("/%s: the interaction expired before the answer could be sent", _name(interaction))
            return
        if isinstance(cause, CitebotError):  # refused by the core, and not caught by its cog
            log.warning("/%s: %s", _name(interaction), cause.detail)
            await tell(interaction, escape(cause.user_message))
            return
        log.error("/%s failed", _name(interaction), exc_info=error)
        await tell(interaction)


def _name(interaction: discord.Interaction[CiteBot]) -> str:
    return interaction.command.name if interaction.command else "?"


class CiteBot(commands.Bot):
    """Answers questions about the indexed articles in Discord; rendering only, no answering."""

    def __init__(
        self,
        *,
        library: Library,
        config: BotConfig,
        store: FeedbackStore,
        data_dir: Path,
        results: int = 3,
        force_sync: bool = False,
        guild_store: GuildSettingsStore | None = None,
        message_content: bool = True,
        guild_ready_timeout: float = GUILD_READY_TIMEOUT,
    ) -> None:
        # citebot never joins voice: skip discord.py's start-up warnings about voice libraries
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        self.guild_store = guild_store or GuildSettingsStore(store.path)
        super().__init__(
            command_prefix=commands.when_mentioned,
            # message_content=False: Discord refused the intent that servers' answer channels ask for
            intents=intents_for(
                config,
                message_content and (self.guild_store.any_answer_channels() or self.guild_store.any_forums()),
            ),
            allowed_mentions=NO_PINGS,
            help_command=None,
            tree_cls=CiteTree,
            max_messages=None,
            chunk_guilds_at_startup=False,
            guild_ready_timeout=guild_ready_timeout,
        )
        self.library, self.config, self.store = library, config, store
        # the shared library (``library``) and each server's own, opened on first use
        self.libraries = Libraries(library, data_dir, config.library_memory_mb)
        self._server_sources: dict[int, SourceStates] = {}
        # the forum posts answered and those marked solved, in the same database file
        self.forum_posts = ForumPosts(store.path)
        # the sync state of the articles fetched from the web ($DATA_DIR/sources.sqlite3)
        self.sources = SourceStates.in_folder(data_dir)
        self.sync_lock = asyncio.Lock()  # one sync at a time: /article sync's or SYNC_EVERY's
        self.web_add_lock = asyncio.Lock()  # one /article add url: at a time (the others are told)
        self.data_dir, self.results, self.force_sync = data_dir, results, force_sync
        self.max_results = MAX_K  # the engine's most passages for one question: Next passage stops there
        self._limiters: dict[int | None, RateLimiter] = {}
        # the operator's limit, kept per person across every server and DMs: the model is shared
        self._everywhere = RateLimiter(config.rate_limit)
        # one worker for the model (two threads would only contend for two cores), one for the
        # database, so that a vote never waits behind a queue of questions; neither on the loop
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citebot-model")
        self._db_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citebot-db")
        # rebuilds run beside the model worker, so that questions are answered (from the index
        # before the change) while an article is indexed
        self._index_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citebot-index")
        self.batcher: Batcher[QueuedAsk, tuple[Answer, int | None]] = Batcher(
            self._answer_batch, limit=config.queue_limit
        )
        self._pending: set[asyncio.Task[Any]] = set()
        self.stopping = False
        self.shutdown_grace = SHUTDOWN_GRACE
        self._ready_logged = False

    # ---- lifecycle ---------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await sync_commands(
            self.tree,
            SyncRecord.in_folder(self.data_dir),
            self.config.dev_guild_id,
            self.force_sync,
        )

    async def on_ready(self) -> None:
        if self._ready_logged:  # on_ready fires again after every reconnect
            log.info("reconnected to Discord")
            return
        self._ready_logged = True
        invite = discord.utils.oauth_url(
            self.application_id or (self.user.id if self.user else 0),
            permissions=PERMISSIONS,
            scopes=("bot", "applications.commands"),
        )
        log.info("citebot ready as %s in %d guild(s); invite: %s", self.user, len(self.guilds), invite)
        for guild in self.guilds:  # back in a server it had left: its library is its own again
            self.libraries.returned(guild.id)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.libraries.returned(guild.id)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server: its library is kept for LEFT_SERVER_DAYS, then deleted."""
        log.info(
            "removed from guild %s: its library is kept for %d days", guild.id, self.config.left_server_days
        )
        await asyncio.to_thread(self.libraries.left, guild.id)

    async def on_message(self, message: discord.Message) -> None:
        """Questions are handled by the Asking cog; there are no prefix commands."""

    async def close(self) -> None:
        """Let pending answers finish (or tell their askers), close the database, disconnect."""
        if not self.stopping:
            self.stopping = True
            for name in BACKGROUND:  # no rebuild or prune starts from here on
                if name in self.extensions:
                    await self.unload_extension(name)
            pending = {t for t in self._pending if not t.done()}
            if pending:
                log.info("waiting for %d pending answer(s)", len(pending))
                _, late = await asyncio.wait(pending, timeout=self.shutdown_grace)
                for task in late:
                    task.cancel()
                if late:
                    await asyncio.wait(late, timeout=5)
            # a model call already running cannot be interrupted; wait for it off the event loop
            await asyncio.to_thread(self._worker.shutdown, wait=True, cancel_futures=True)
            await asyncio.to_thread(self._db_worker.shutdown, wait=True, cancel_futures=True)
            # a rebuild under way finishes (its index is saved whole) before the bot stops
            await asyncio.to_thread(self._index_worker.shutdown, wait=True, cancel_futures=True)
            self.store.close()
            self.forum_posts.close()
            self.guild_store.close()
            self.sources.close()
            for states in self._server_sources.values():
                states.close()
        await super().close()

    # ---- work --------------------------------------------------------------------------------

    def track(self) -> None:
        """Count the running task as a pending answer until it ends."""
        task = asyncio.current_task()
        if task is not None:
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def compute(self, fn: Callable[..., T], *args: Any) -> T:
        """Run model work off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, fn, *args)

    async def database(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a feedback-database call off the event loop, not queued behind the model."""
        return await asyncio.get_running_loop().run_in_executor(self._db_worker, fn, *args)

    async def aside(self, fn: Callable[..., T], *args: Any) -> T:
        """Run work of seconds (a change to the articles and its rebuild, a report) beside the
        model worker, so that questions are not held up behind it."""
        return await asyncio.get_running_loop().run_in_executor(self._index_worker, fn, *args)

    def view(self, guild_id: int | None) -> View:
        """What questions in a server (None: DMs) are answered from: its own library and, unless
        its /settings leave it out, the shared one. Opens the server's library from disk if it is
        not in memory: call it off the event loop (``view_of``)."""
        shared = guild_id is None or self.guild_settings(guild_id).shared_library
        return self.libraries.view(guild_id, shared)

    def sources_of(self, guild_id: int | None) -> SourceStates | None:
        """The sync states of a library's articles fetched from the web: the shared library's
        (None), or a server's, kept in its own folder (None when it has no library)."""
        if guild_id is None:
            return self.sources
        folder = self.libraries.folder(guild_id)
        if not folder.is_dir():
            return None
        states = self._server_sources.get(guild_id)
        if states is None:
            states = self._server_sources[guild_id] = SourceStates.in_folder(folder)
        return states

    def source_states(self, view: View) -> dict[str, SourceState]:
        """The sync state of each article of ``view`` fetched from the web, by id: each from
        its own library's (on the database's thread)."""
        states = {s.slug: s for s in self.sources.all() if view.library_of(s.slug) == SHARED}
        own = self.sources_of(view.server) if view.server is not None else None
        if own is not None:
            states |= {s.slug: s for s in own.all() if s.slug in view.own}
        return states

    async def view_of(self, guild_id: int | None) -> View:
        """``view``, off the event loop."""
        return await asyncio.to_thread(self.view, guild_id)

    def _answer_many(self, asks: list[QueuedAsk]) -> list[Answer | Exception]:
        """The model's answers to a batch (on the model's thread), each server's questions from
        that server's view in one pass; a failed batch is answered one by one, so that an error
        reaches only its own asker."""
        try:
            places: dict[tuple[int | None, bool], list[int]] = {}
            for i, ask in enumerate(asks):
                places.setdefault((ask.guild_id, ask.shared), []).append(i)
            answers: list[Answer | Exception] = [Exception()] * len(asks)
            for (guild_id, shared), rows in places.items():
                view = self.libraries.view(guild_id, shared)
                mine = [asks[i] for i in rows]
                made = view.engine.answer_many(
                    [a.question for a in mine], [a.k for a in mine], [a.history for a in mine]
                )
                for i, answer in zip(rows, made, strict=True):
                    answers[i] = view.label(answer)
        except Exception:
            if len(asks) == 1:
                raise
            log.warning("a batch of %d questions failed; answering them one by one", len(asks))
            return [self._answer_alone(ask) for ask in asks]
        if len(asks) > 1:
            log.debug("answered %d questions in one batch", len(asks))
        return list(answers)

    def _answer_alone(self, ask: QueuedAsk) -> Answer | Exception:
        """One question of a failed batch: its answer, or the error that only its asker hears of."""
        try:
            return self._answer_many([ask])[0]
        except Exception as exc:
            return exc

    def _record_all(
        self, answered: list[Answer | Exception], asks: list[QueuedAsk]
    ) -> list[tuple[Answer, int | None] | Exception]:
        """Each answer with the id its ask was recorded under (on the database's thread, the
        one that writes the feedback database); an error stays the asker's."""
        return [
            a if isinstance(a, Exception) else (a, self._record(a, ask))
            for a, ask in zip(answered, asks, strict=True)
        ]

    def _record(self, answer: Answer, ask: QueuedAsk) -> int | None:
        """Keep the question for /gaps, /stats and its conversation's follow-ups; its id.

        A database fault costs the answer its buttons, never the answer itself (nor the other
        answers of its batch).
        """
        if ask.user_id is None or answer.error:
            return None
        try:
            return self._record_ask(answer, ask)
        except Exception:
            log.exception("could not record a question; answering without buttons")
            return None

    def _record_ask(self, answer: Answer, ask: QueuedAsk) -> int:
        ids = [c.id for c in answer.citations]
        focus = next((c.id for c in answer.citations if c.highlight), ids[0] if ids else "")
        return self.store.record_ask(
            answer.question,
            passage_ids=ids,
            focus=focus,
            answered=answer.answered,
            results=ask.k,
            user_id=ask.user_id,
            confidence=answer.confidence_label,
            guild_id=ask.guild_id,
            conversation=ask.conversation,
            private=ask.private,
        )

    async def _answer_batch(self, asks: list[QueuedAsk]) -> list[tuple[Answer, int | None] | Exception]:
        answered = await self.compute(self._answer_many, asks)
        return await self.database(self._record_all, answered, asks)

    async def answer(
        self,
        question: str,
        k: int,
        user_id: int | None,
        guild_id: int | None = None,
        history: Sequence[str] = (),
        *,
        conversation: int | None = None,
        private: bool = False,
        shared: bool | None = None,
    ) -> tuple[Answer, int | None]:
        """The engine's answer, and the id it was recorded under, which its buttons carry and its
        answer message is noted against (None: not recorded, because no ``user_id`` was given or
        the engine failed; a refusal citing nothing is recorded but has no buttons). ``history``:
        the earlier questions of its conversation, oldest first. Questions asked while the model
        is busy are answered together in one batch. ``conversation`` and ``private``: see
        ``QueuedAsk``; ``shared``: whether the shared library is answered from too (None: as
        the server's settings say)."""
        if shared is None:
            shared = guild_id is None or self.guild_settings(guild_id).shared_library
        ask = QueuedAsk(question, k, user_id, guild_id, tuple(history), conversation, private, shared)
        return await self.batcher.submit(ask, key=(guild_id, shared))

    def guild_settings(self, guild_id: int | None) -> GuildSettings:
        """The settings in force in a server (its /settings over ``.env``), or in DMs."""
        overrides = self.guild_store.get(guild_id) if guild_id is not None else Overrides()
        return in_force(self.config, self.results, overrides)

    def limiter_for(self, guild_id: int | None, limit: RateLimit | None = None) -> RateLimiter:
        """The question limit of a server (its cooldown), which a change of setting renews;
        ``limit``: the one in force there, when the caller has read its settings already."""
        limit = self.guild_settings(guild_id).rate_limit if limit is None else limit
        limiter = self._limiters.get(guild_id)
        if limiter is None or limiter.limit != limit:
            limiter = self._limiters[guild_id] = RateLimiter(limit)
        return limiter

    def limit_wait(
        self, user_id: int, guild_id: int | None, limit: RateLimit | None = None
    ) -> tuple[float, bool]:
        """Whether the user may ask here now: (0, False) when they may, this question counted
        against both the operator's limit (across every server and DMs) and this server's own;
        else the seconds to wait, and whether to tell them (once a window: a flood is told once).
        """
        limiters = [self._everywhere]
        here = self.limiter_for(guild_id, limit)
        if here.limit != self._everywhere.limit:
            limiters.append(here)
        wait, limiter = max(((lim.wait(user_id), lim) for lim in limiters), key=lambda pair: pair[0])
        if wait:
            return wait, limiter.first_refusal(user_id)
        for lim in limiters:
            lim.count(user_id)
        return 0.0, False

    def refusal_for(
        self, guild_id: int | None, channel_id: int | None, parent_id: int | None = None
    ) -> str | None:
        """Why citebot does not answer here (allow-lists, DMs off), or None when it does."""
        if guild_id is None:
            return None if self.config.answer_dms else "citebot does not answer direct messages here."
        if self.config.allowed_guild_ids and guild_id not in self.config.allowed_guild_ids:
            return "citebot is not enabled in this server."
        allowed = self.config.allowed_channel_ids
        if allowed and channel_id not in allowed and parent_id not in allowed:
            return "citebot is not enabled in this channel."
        return None


def use_discord_at(api_base: str, gateway_url: str) -> None:
    """Point discord.py at a Discord-compatible server (Discord's own by default).

    discord.py keeps both addresses as class attributes and offers no setting for them.
    """
    import yarl

    discord.http.Route.BASE = f"{api_base.rstrip('/')}/v{API_VERSION}"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
