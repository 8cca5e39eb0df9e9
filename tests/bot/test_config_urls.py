"""Where the token may go: DISCORD_API_BASE and DISCORD_GATEWAY_URL in plain text only to this
machine, and an API base written with its version accepted as meant."""

import pytest

from bot.config import DISCORD_API_BASE, bot_config
from index.config import ConfigError

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("DISCORD_API_BASE", "http://discord.example.com/api"),
        ("DISCORD_API_BASE", "http://127.0.0.1.example.com/api"),
        ("DISCORD_API_BASE", "http://10.0.0.5:8080/api"),
        ("DISCORD_GATEWAY_URL", "ws://gateway.example.com/"),
        ("DISCORD_GATEWAY_URL", "ws://192.168.1.2:9000/gateway"),
        ("DISCORD_GATEWAY_URL", "ws://localhost.example.com/gateway"),
    ],
)
def test_plain_text_to_another_machine_is_refused_with_the_reason(key, url):
    with pytest.raises(ConfigError) as caught:
        bot_config({"DISCORD_TOKEN": TOKEN, key: url})
    message = str(caught.value)
    assert message.startswith(key) and "this machine" in message and "\n" not in message
    assert TOKEN not in message


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("DISCORD_API_BASE", "http://127.0.0.1:8080/api"),
        ("DISCORD_API_BASE", "http://localhost:8080/api"),
        ("DISCORD_API_BASE", "http://[::1]:8080/api"),
        ("DISCORD_API_BASE", "https://discord.example.com/api"),
        ("DISCORD_GATEWAY_URL", "ws://127.0.0.2:9000/gateway"),
        ("DISCORD_GATEWAY_URL", "wss://gateway.example.com/"),
    ],
)
def test_encrypted_anywhere_and_plain_text_on_loopback_are_accepted(key, url):
    s = bot_config({"DISCORD_TOKEN": TOKEN, key: url})
    assert (s.api_base if key == "DISCORD_API_BASE" else s.gateway_url) == url


@pytest.mark.parametrize("url", ["https://", "https:///api", "wss://"])
def test_an_address_without_a_host_is_refused(url):
    key = "DISCORD_GATEWAY_URL" if url.startswith("wss") else "DISCORD_API_BASE"
    with pytest.raises(ConfigError, match=f"^{key}"):
        bot_config({"DISCORD_TOKEN": TOKEN, key: url})


@pytest.mark.parametrize("url", ["https://discord.com/api/v10", "https://discord.com/api/v10/"])
def test_an_api_base_written_with_the_version_citebot_uses_is_taken_without_it(url):
    assert bot_config({"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": url}).api_base == DISCORD_API_BASE


def test_an_api_base_with_another_version_says_what_to_write():
    with pytest.raises(ConfigError) as caught:
        bot_config({"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": "https://discord.com/api/v9"})
    message = str(caught.value)
    assert "https://discord.com/api" in message and "without" in message and "\n" not in message
