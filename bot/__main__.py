"""``python -m bot``: run the Discord bot (settings from the environment and ``.env``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

import aiohttp
import discord

from bot.client import CiteBot, use_discord_at
from bot.config import BotConfig, bot_config
from bot.stores.database import database_path
from bot.stores.feedback import FeedbackStore
from bot.stores.guild_settings import GuildSettingsStore
from index import CitebotError, EngineConfig, Library, startup_config

log = logging.getLogger("citebot.bot")

INTENT_HELP = (
    "Discord refused the message-content intent, which ANSWER_CHANNEL_IDS needs: turn on "
    "'Message Content Intent' under Bot > Privileged Gateway Intents in the Discord developer "
    "portal, or leave ANSWER_CHANNEL_IDS empty"
)


REJECTED = "DISCORD_TOKEN was rejected by Discord: reset the token in the developer portal"


class Failure(CitebotError):
    """A problem the operator must fix at the edge (Discord, the database); the one line they
    are shown is its ``user_message``, as for the core's own errors."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bot", description="Run citebot in Discord.")
    ap.add_argument(
        "--sync",
        action="store_true",
        help="sync the slash commands globally now (otherwise only when they changed), then run",
    )
    ap.add_argument("--rebuild", action="store_true", help="rebuild the index before connecting")
    return ap.parse_args(argv)


async def serve(bot: CiteBot, token: str) -> None:
    """Run until Discord closes us, Ctrl-C or SIGTERM; both signals close the bot cleanly."""
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task] = []

    def stop(name: str) -> None:
        if stopping:  # a second signal: the operator will not wait for the clean close
            log.warning("%s received again: exiting now", name)
            os._exit(1)
        log.info("%s received: closing (send it again to exit at once)", name)
        stopping.append(loop.create_task(bot.close()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig.name)
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure as exc:
        raise Failure(
            "DISCORD_TOKEN was rejected by Discord: reset the token in the developer portal"
        ) from exc
    except discord.PrivilegedIntentsRequired as exc:
        raise Failure(INTENT_HELP) from exc
    except discord.ConnectionClosed as exc:
        if exc.code == 4004:
            raise Failure(REJECTED) from exc
        raise Failure(
            f"Discord closed the connection for good (code {exc.code}: {exc.reason or 'no reason'})"
        ) from exc
    except (discord.GatewayNotFound, discord.HTTPException) as exc:
        raise Failure(f"Discord refused to start the bot: {exc}") from exc
    except aiohttp.ClientConnectionError as exc:
        raise Failure(f"cannot reach Discord at {discord.http.Route.BASE}: {exc}") from exc
    finally:
        if stopping:
            await stopping[0]
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def open_library(settings: EngineConfig, rebuild: bool) -> Library:
    """The articles and the engine, as ``Library.open`` opens them.

    Raises:
        CitebotError: they cannot be opened (an ``OSError`` of the folders is a ``Failure``).
    """
    try:
        return Library.open(
            settings.corpus,
            settings.data_dir,
            settings.index_dir,
            settings.threshold,
            rebuild=rebuild,
            max_corpus_bytes=settings.max_corpus_bytes,
        )
    except CitebotError:  # IndexNotSaved is an OSError too: the core's own, said as it is
        raise
    except OSError as exc:
        raise Failure(str(exc)) from exc


def run(settings: EngineConfig, discord_settings: BotConfig, args: argparse.Namespace) -> None:
    library = open_library(settings, args.rebuild)  # before connecting: Discord waits for no one
    engine = library.engine
    log.info(
        "index ready: %d passages from %d article(s) in %s",
        engine.manifest.passages,
        len(engine.sources()),
        library.folder,
    )
    use_discord_at(discord_settings.api_base, discord_settings.gateway_url)
    message_content = True
    while True:
        try:
            store = FeedbackStore(database_path(settings.data_dir))
            guild_store = GuildSettingsStore(store.path)
        except OSError as exc:
            raise Failure(str(exc)) from exc
        # the intent asked for only because of servers' /settings (answer channels or forums)
        servers = (guild_store.any_answer_channels() or guild_store.any_forums()) and not (
            discord_settings.answer_channel_ids or discord_settings.forum_channel_ids
        )
        bot = CiteBot(
            library=library,
            config=discord_settings,
            store=store,
            data_dir=settings.data_dir,
            results=settings.results,
            force_sync=args.sync,
            guild_store=guild_store,
            message_content=message_content,
        )
        try:
            asyncio.run(serve(bot, discord_settings.token))
            return
        except Failure as exc:
            if not (
                servers and message_content and isinstance(exc.__cause__, discord.PrivilegedIntentsRequired)
            ):
                raise
        # only servers' /settings asked for the intent: a setting made in Discord must not stop the bot
        log.warning(
            "Discord refused the Message Content intent that answer channels and forums set with "
            "/settings need: connecting without it. Turn on 'Message Content Intent' under Bot > "
            "Privileged Gateway Intents in the developer portal and restart; until then, mention "
            "citebot in those channels"
        )
        message_content = False


def quiet_discord_logs() -> None:
    """Keep discord.py's loggers at INFO whatever LOG_LEVEL says: its DEBUG lines carry every
    gateway payload (what people typed, interaction tokens) and every webhook URL (which holds the
    interaction's token), none of which may reach a log file."""
    discord_log = logging.getLogger("discord")
    if discord_log.getEffectiveLevel() < logging.INFO:
        discord_log.setLevel(logging.INFO)


def _stop_now(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM before the bot runs: leave as Ctrl-C would


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_now)
    try:
        settings = startup_config()
        quiet_discord_logs()
        discord_settings = bot_config()
        run(settings, discord_settings, args)
    except CitebotError as exc:  # the core's errors and the edge's Failure, each said in one line
        log.debug("stopped: %s", exc.detail)
        print(f"citebot: {exc.user_message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        log.info("stopped before connecting")
        return 0
    log.info("citebot stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
