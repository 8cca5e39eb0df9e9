"""The one error base of citebot: a message for the person shown it, the whole story for the log."""

from __future__ import annotations

import re

_ERRNO = re.compile(r"\[Errno -?\d+\] ")
_QUOTED_PATH = re.compile(r"""(?:: | -> )?'(?:/|[A-Za-z]:\\)[^']*'""")
_BARE_PATH = re.compile(r"(?<![\w.~/])(?:/|[A-Za-z]:\\)(?:[^\s/\\'\"]+[/\\])+([^\s/\\'\"]*)")


def without_paths(text: str) -> str:
    """``text`` as one line with no path on the machine: a path is cut to its last part, a
    quoted one (an ``OSError``'s, after the name it already gave) left out, and an indented
    line (a YAML mark, a quoted file line) dropped."""
    lines = [line.strip() for line in text[:2000].splitlines() if line.strip() and not line[:1].isspace()]
    text = "; ".join(lines)
    text = _QUOTED_PATH.sub("", _ERRNO.sub("", text))
    text = _BARE_PATH.sub(lambda m: m.group(1), text)
    return text.strip(" :;")


class CitebotError(Exception):
    """A failure citebot expects and can explain: bad settings, an unreadable corpus, an index
    that cannot be used, an article or question refused.

    ``str(error)`` (and ``detail``) is the whole message, paths included, for the log;
    ``user_message`` is one line for whoever is shown it (a Discord user, the operator's
    terminal), with no path on the machine (issue 7).
    """

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail)
        self._user_message = user_message

    @property
    def detail(self) -> str:
        """The whole message, for the log."""
        return str(self)

    @property
    def user_message(self) -> str:
        """One line for the person shown the error, with no path on the machine."""
        return without_paths(self._user_message if self._user_message is not None else self.detail)


class ConfigError(CitebotError, ValueError):
    """A setting with a value that cannot be used; the message names the key (parsed in
    ``index.config``; here so that the modules it reads settings with import no config)."""
