"""The bot's configuration: every bad value is one line naming its key, and the token never shows;
``.env.example`` and the README document the same settings."""

import re
from ipaddress import ip_address
from pathlib import Path

import pytest

from bot.config import RateLimit, bot_config, parse_sync_every
from index import PUBLIC_ONLY
from index.config import ConfigError

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_defaults_with_only_a_token():
    s = bot_config({"DISCORD_TOKEN": TOKEN})
    assert s.token == TOKEN
    assert s.api_base == "https://discord.com/api" and s.gateway_url.startswith("wss://")
    assert s.rate_limit == RateLimit(5, 60.0) and s.answer_dms and not s.answer_in_thread
    assert TOKEN not in repr(s)


def test_values_are_parsed():
    s = bot_config(
        {
            "DISCORD_TOKEN": TOKEN,
            "ANSWER_CHANNEL_IDS": "1, 2;3",
            "FORUM_CHANNEL_IDS": "4,5",
            "ANSWER_IN_THREAD": "yes",
            "ANSWER_DMS": "off",
            "USER_RATE_LIMIT": "3/10",
            "DEV_GUILD_ID": "42",
            "DISCORD_API_BASE": "http://127.0.0.1:9/api/",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gateway",
        }
    )
    assert s.forum_channel_ids == {4, 5}
    assert s.answer_channel_ids == {1, 2, 3} and s.answer_in_thread and not s.answer_dms
    assert s.rate_limit == RateLimit(3, 10.0) and s.dev_guild_id == 42
    assert s.api_base == "http://127.0.0.1:9/api"
    assert not bot_config({"DISCORD_TOKEN": TOKEN, "USER_RATE_LIMIT": "0"}).rate_limit.enabled


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "not a token"}, "DISCORD_TOKEN does not look"),
        ({"DISCORD_TOKEN": TOKEN, "ANSWER_CHANNEL_IDS": "general"}, "ANSWER_CHANNEL_IDS"),
        ({"DISCORD_TOKEN": TOKEN, "FORUM_CHANNEL_IDS": "help-forum"}, "FORUM_CHANNEL_IDS"),
        ({"DISCORD_TOKEN": TOKEN, "ANSWER_IN_THREAD": "maybe"}, "ANSWER_IN_THREAD"),
        ({"DISCORD_TOKEN": TOKEN, "USER_RATE_LIMIT": "fast"}, "USER_RATE_LIMIT"),
        ({"DISCORD_TOKEN": TOKEN, "USER_RATE_LIMIT": "0/60"}, "USER_RATE_LIMIT"),
        ({"DISCORD_TOKEN": TOKEN, "DEV_GUILD_ID": "1,2"}, "DEV_GUILD_ID"),
        ({"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": "ftp://x"}, "DISCORD_API_BASE"),
        ({"DISCORD_TOKEN": TOKEN, "DISCORD_GATEWAY_URL": "http://x"}, "DISCORD_GATEWAY_URL"),
    ],
)
def test_bad_values_name_their_key_and_hide_the_token(env, key):
    with pytest.raises(ConfigError) as caught:
        bot_config(env)
    message = str(caught.value)
    assert key in message and "\n" not in message
    assert TOKEN not in message


def test_env_example_copied_as_is_gives_the_defaults():
    from dotenv import dotenv_values

    from index.config import engine_config

    root = Path(__file__).resolve().parents[2]
    values = {k: v or "" for k, v in dotenv_values(root / ".env.example").items()}
    assert values["DISCORD_TOKEN"] == ""  # so make run starts the console until a token is set
    assert engine_config(values).results == 3
    s = bot_config({**values, "DISCORD_TOKEN": TOKEN})
    assert s.rate_limit.count == 5 and s.answer_dms and not s.answer_channel_ids
    assert not s.forum_channel_ids
    documented = set(
        re.findall(r"^\| `([A-Z_]+)` \|", (root / "README.md").read_text(encoding="utf-8"), re.M)
    )
    assert documented == set(values)  # every setting is in both places


def test_web_settings_default_to_public_addresses_ten_seconds_200_pages_and_no_sync():
    s = bot_config({"DISCORD_TOKEN": TOKEN})
    assert s.web.fetch_timeout == 10.0 and s.web.max_pages == 200 and s.sync_every is None
    assert s.web.allow_private == PUBLIC_ONLY


def test_web_settings_are_parsed():
    s = bot_config(
        {
            "DISCORD_TOKEN": TOKEN,
            "FETCH_TIMEOUT": "2.5",
            "ALLOW_PRIVATE_URLS": "127.0.0.1, 10.0.0.0/8 intranet.example",
            "MAX_PAGES": "40",
            "SYNC_EVERY": "24h",
        }
    )
    assert s.web.fetch_timeout == 2.5 and s.web.max_pages == 40 and s.sync_every == 86_400
    assert s.web.allow_private.permits("intranet.example", ip_address("10.1.2.3"))
    assert s.web.allow_private.permits("10.9.9.9", ip_address("10.9.9.9"))
    assert not s.web.allow_private.permits("192.168.1.1", ip_address("192.168.1.1"))
    assert bot_config({"DISCORD_TOKEN": TOKEN, "ALLOW_PRIVATE_URLS": "true"}).web.allow_private.allow_all


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("", None), ("off", None), ("0", None), ("30m", 1800), ("24h", 86_400), ("2d", 172_800), ("900", 900)],
)
def test_sync_every_is_a_duration_or_off(raw, seconds):
    assert parse_sync_every(raw) == seconds


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"FETCH_TIMEOUT": "soon"}, "FETCH_TIMEOUT"),
        ({"FETCH_TIMEOUT": "-1"}, "FETCH_TIMEOUT"),
        ({"ALLOW_PRIVATE_URLS": "http://intranet/"}, "ALLOW_PRIVATE_URLS"),
        ({"MAX_PAGES": "0"}, "MAX_PAGES"),
        ({"MAX_PAGES": "5001"}, "MAX_PAGES"),
        ({"MAX_PAGES": "many"}, "MAX_PAGES"),
        ({"SYNC_EVERY": "daily"}, "SYNC_EVERY"),
        ({"SYNC_EVERY": "5m"}, "SYNC_EVERY"),
        ({"SYNC_EVERY": "400d"}, "SYNC_EVERY"),
        ({"SYNC_EVERY": "-24h"}, "SYNC_EVERY"),
    ],
)
def test_bad_web_settings_are_one_line_naming_their_key(env, key):
    with pytest.raises(ConfigError) as caught:
        bot_config({"DISCORD_TOKEN": TOKEN, **env})
    message = str(caught.value)
    assert message.startswith(key) and "\n" not in message
