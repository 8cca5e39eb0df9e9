"""A site's robots.txt as rules: which paths a user agent may fetch (the standard library's
parser), and the sitemaps it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.robotparser import RobotFileParser

from yarl import URL

# Google reads the first 500 KiB of a robots.txt and ignores the rest; so does citebot.
MAX_ROBOTS_BYTES = 500_000


def origin(url: str) -> str:
    """The scheme, host and port of ``url`` (``https://example.com:8443``), lower case."""
    return str(URL(url).origin())


def robots_url(url: str) -> str:
    """Where the robots.txt governing ``url`` lives."""
    return f"{origin(url)}/robots.txt"


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt allows.

    Attributes:
        allow_all: no rules apply (robots.txt missing).
        disallow_all: nothing may be fetched (robots.txt behind 401/403, or the server failing).
        sitemaps: the sitemap URLs the file names.
    """

    allow_all: bool = False
    disallow_all: bool = False
    sitemaps: tuple[str, ...] = ()
    _parser: RobotFileParser | None = field(default=None, repr=False, compare=False)

    def allows(self, url: str, agent: str) -> bool:
        """Whether ``agent`` (a product token such as ``citebot``) may fetch ``url``."""
        if self.disallow_all:
            return False
        if self.allow_all or self._parser is None:
            return True
        return self._parser.can_fetch(agent, url)


ALLOW_ALL = RobotsRules(allow_all=True)
DISALLOW_ALL = RobotsRules(disallow_all=True)


def parse_robots(body: bytes) -> RobotsRules:
    """The rules in a robots.txt body (read up to ``MAX_ROBOTS_BYTES``; a line cut by the
    cap is dropped)."""
    truncated = len(body) > MAX_ROBOTS_BYTES
    text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if truncated and lines:
        lines.pop()
    parser = RobotFileParser()
    parser.parse(lines)
    parser.modified()  # can_fetch refuses everything until the parser has a read time
    return RobotsRules(sitemaps=tuple(parser.site_maps() or ()), _parser=parser)


def rules_for_status(status: int) -> RobotsRules:
    """The rules when robots.txt answers ``status`` instead of a file: 401 and 403 forbid
    everything, any other 4xx (missing) allows everything, 5xx forbids everything (RFC 9309:
    an unreachable robots.txt means complete disallow)."""
    if status in (401, 403) or status >= 500:
        return DISALLOW_ALL
    return ALLOW_ALL
