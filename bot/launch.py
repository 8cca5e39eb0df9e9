"""``make run``: the Discord bot when a token is set (environment or ``.env``), else the console."""

from __future__ import annotations

import os
import sys

from index import ConfigError, load_env


def main() -> int:
    try:
        load_env()
    except ConfigError as exc:
        print(f"citebot: {exc}", file=sys.stderr)
        return 2
    if os.environ.get("DISCORD_TOKEN", "").strip():
        from bot.__main__ import main as bot_main

        return bot_main([])
    from bot.console import main as console_main

    return console_main([])


if __name__ == "__main__":
    raise SystemExit(main())
