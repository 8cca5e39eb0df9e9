"""Which network addresses citebot may fetch from: public ones, and the private ones
``ALLOW_PRIVATE_URLS`` names (all of them, or a list of hosts and networks for an intranet)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from index.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ENV_KEY = "ALLOW_PRIVATE_URLS"

# IPv6 forms that carry an IPv4 address in their last 32 bits: NAT64's well-known prefix, and
# the IPv4-compatible (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d) forms. Python counts
# them as global, so 64:ff9b::7f00:1 or ::127.0.0.1 would otherwise pass as public.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_CARRIERS = (_NAT64, ipaddress.IPv6Network("::/96"), ipaddress.IPv6Network("::ffff:0:0:0/96"))
# An IPv6 address is public only as global unicast; NAT64's well-known prefix is the one other
# form admitted, when the IPv4 address it carries is public (64:ff9b:1::/48, local-use NAT64,
# hides where it leads and is never public).
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$"
)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, NAT64, 6to4), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if any(address in carrier for carrier in _CARRIERS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def normal_host(host: str) -> str:
    """A host name as compared: no brackets or trailing dot, lower case."""
    return host.strip().strip("[]").rstrip(".").lower()


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is on the public internet (``is_global``), looking through IPv6
    forms that carry an IPv4 address (``::ffff:127.0.0.1`` is loopback, not public); an IPv6
    address must be global unicast (2000::/3), or NAT64 in front of a public IPv4 address."""
    inner = _embedded_ipv4(address)
    if inner is not None and not inner.is_global:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST:
        return inner is not None and address in _NAT64
    return address.is_global


@dataclass(frozen=True)
class AddressPolicy:
    """The addresses a fetch may connect to: every public one, plus the private ones allowed.

    Attributes:
        allow_all: every address is allowed, private ones included (``ALLOW_PRIVATE_URLS=true``).
        hosts: host names (lower case, no trailing dot) allowed whatever they resolve to.
        networks: networks (single addresses as /32 or /128) allowed.
    """

    allow_all: bool = False
    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    def permits(self, host: str, address: IPAddress) -> bool:
        """Whether a connection to ``address``, reached for the URL host ``host``, is allowed.

        Args:
            host: the host name (or literal address) of the URL being fetched.
            address: the address the connection goes to.
        """
        if self.allow_all or is_public(address):
            return True
        if normal_host(host) in self.hosts:
            return True
        inner = _embedded_ipv4(address)
        return any(
            candidate in network
            for candidate in (address, inner)
            if candidate is not None
            for network in self.networks
            if candidate.version == network.version
        )


PUBLIC_ONLY = AddressPolicy()


def parse_allow_private(raw: str) -> AddressPolicy:
    """The policy ``ALLOW_PRIVATE_URLS`` describes.

    Args:
        raw: ``""`` or ``"false"`` (public addresses only), ``"true"`` (every address), or a
            comma or space separated list of host names, addresses and CIDR networks
            (``"intranet.example, 127.0.0.1 10.0.0.0/8 fd00::/8"``).

    Raises:
        ConfigError: an entry is neither a host name, an address nor a network.
    """
    text = raw.strip()
    if text.lower() in ("", "false", "no", "0"):
        return PUBLIC_ONLY
    if text.lower() in ("true", "yes", "1"):
        return AddressPolicy(allow_all=True)
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in re.split(r"[,\s]+", text):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        name = normal_host(entry)
        if "/" in entry or ":" in entry or not _HOST_NAME.match(name) or name.replace(".", "").isdigit():
            raise ConfigError(
                f"{ENV_KEY} has {entry!r}, which is not a host name, an address or a network "
                "(use true, false, or a list such as 127.0.0.1, 10.0.0.0/8, intranet.example)"
            )
        hosts.add(name)
    return AddressPolicy(hosts=frozenset(hosts), networks=tuple(networks))
