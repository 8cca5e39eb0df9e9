"""When to sync slash commands: Discord allows 200 command creations a day per guild, so a
command set is sent only when it changed since the last sync (a hash kept in the data folder)."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import discord
from discord import app_commands

log = logging.getLogger(__name__)

RECORD_FILE = "commands.json"  # in the data folder


def command_hash(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None = None) -> str:
    """A fingerprint of the commands that would be sent for ``guild`` (None: global)."""
    payload = [c.to_dict(tree) for c in tree.get_commands(guild=guild)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class SyncRecord:
    """The hash of the last command set synced to each target, in a small JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_folder(cls, data_dir: Path) -> SyncRecord:
        """The record the bot keeps in its data folder."""
        return cls(data_dir / RECORD_FILE)

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def changed(self, target: str, digest: str) -> bool:
        return self._read().get(target) != digest

    def remember(self, target: str, digest: str) -> None:
        data = {**self._read(), target: digest}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as exc:  # the next start will sync again; nothing worse
            log.warning("could not record the command sync in %s: %s", self.path, exc)


async def sync_commands(
    tree: app_commands.CommandTree, record: SyncRecord, dev_guild_id: int | None, force: bool
) -> list[str]:
    """Sync to the dev guild when one is set (instant), else globally, each only when the set
    changed or ``force``; returns the targets synced."""
    synced = []
    app = tree.client.application_id  # a new token for another application syncs afresh
    if dev_guild_id is not None:
        guild = discord.Object(id=dev_guild_id)
        tree.copy_global_to(guild=guild)
        target, digest = f"{app}:guild:{dev_guild_id}", command_hash(tree, guild)
        if (force or record.changed(target, digest)) and await _sync(tree, guild):
            record.remember(target, digest)
            synced.append(target)
            log.info("slash commands synced to the dev guild %s", dev_guild_id)
        return synced  # commands would show twice in the dev guild if also synced globally
    target, digest = f"{app}:global", command_hash(tree)
    if (force or record.changed(target, digest)) and await _sync(tree, None):
        record.remember(target, digest)
        synced.append(target)
        log.info("slash commands synced globally (they can take up to an hour to appear)")
    return synced


async def _sync(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None) -> bool:
    """Send the commands; a refusal is logged and tried again on the next start, never fatal."""
    try:
        await tree.sync(guild=guild)
    except discord.HTTPException as exc:
        where = f"guild {guild.id}" if guild else "global"
        log.warning(
            "could not sync slash commands (%s): %s %s; will try on the next start",
            where,
            exc.status,
            exc.text,
        )
        return False
    return True
