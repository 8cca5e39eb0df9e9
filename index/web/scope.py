"""Where a chain of requests may go: private addresses only when the address the editor typed
was itself private and allowed, and for a sync only on the host the page was stored from.

A page added as public never pulls an intranet page in, whether by a redirect, a sitemap's list
or a crawl's links; a synced page never follows a redirect from its stored host to a private
one. The scope of a chain is kept in a context variable, so that each request (and the tasks a
site's pages are read in) carries its own while one ``Fetcher`` serves them all.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from yarl import URL

from index.web import addresses
from index.web.addresses import PUBLIC_ONLY, AddressPolicy, IPAddress, normal_host


@dataclass
class Scope:
    """The addresses one chain of requests may connect to.

    Attributes:
        policy: the operator's policy when the chain started at a private address it allows,
            else public addresses only.
        home: for a sync, the stored page's host: private addresses are allowed on it alone.
        approved: the addresses checked and allowed so far (the socket factory's list).
    """

    policy: AddressPolicy
    home: str | None = None
    approved: set[IPAddress] = field(default_factory=set)

    def permits(self, host: str, address: IPAddress) -> bool:
        """Whether ``host``, at ``address``, may be connected to within this chain."""
        if self.home is not None and normal_host(host) != self.home:
            return addresses.is_public(address)
        return self.policy.permits(host, address)

    @property
    def private(self) -> bool:
        """Whether any private address may be reached in this chain."""
        return self.policy != PUBLIC_ONLY

    def refusal(self, first: str) -> str:
        """Why a hop of a chain that began at ``first`` was refused as private, in a few words."""
        if self.home is not None:
            return f"a sync does not follow a redirect from {self.home} to a private address"
        return f"{_host(first)} is public: a private address is not followed from it"


_CURRENT: ContextVar[Scope | None] = ContextVar("citebot_fetch_scope", default=None)


def current_scope() -> Scope | None:
    """The scope of the chain being fetched, or None outside one."""
    return _CURRENT.get()


@contextmanager
def within(scope: Scope) -> Iterator[Scope]:
    """Run the block (and the tasks it starts) in ``scope``."""
    token = _CURRENT.set(scope)
    try:
        yield scope
    finally:
        _CURRENT.reset(token)


async def scope_for(policy: AddressPolicy, url: str, *, sync: bool = False) -> Scope:
    """The scope of a chain that starts at ``url``, as the editor typed it (or, with ``sync``,
    as it was stored): the operator's ``policy`` when ``url``'s host is private and allowed
    (a private literal address, or a name that resolves to one), public addresses only when it
    is public. A host that cannot be resolved gets public only (its fetch says why it fails)."""
    host = _host(url)
    home = normal_host(host) if sync else None
    if policy == PUBLIC_ONLY or not host:
        return Scope(PUBLIC_ONLY, home)
    private = any(not addresses.is_public(a) and policy.permits(host, a) for a in await _addresses(host))
    return Scope(policy if private else PUBLIC_ONLY, home)


async def _addresses(host: str) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found = []
    for info in infos:
        try:
            found.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        except ValueError:
            continue
    return found


def _host(url: str) -> str:
    try:
        return URL(url).host or ""
    except (ValueError, TypeError):
        return ""
