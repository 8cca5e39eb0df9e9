"""ALLOW_PRIVATE_URLS read into an AddressPolicy, and what the policy permits."""

from __future__ import annotations

import ipaddress

import pytest

from index.config import ConfigError, web_config
from index.web.addresses import AddressPolicy, is_public, parse_allow_private

LOOPBACK = ipaddress.ip_address("127.0.0.1")
PUBLIC = ipaddress.ip_address("93.184.216.34")


@pytest.mark.parametrize("raw", ["", "  ", "false", "FALSE"])
def test_empty_or_false_allows_public_addresses_only(raw: str) -> None:
    assert parse_allow_private(raw) == AddressPolicy()


@pytest.mark.parametrize("raw", ["true", "True", " TRUE "])
def test_true_allows_every_address(raw: str) -> None:
    policy = parse_allow_private(raw)
    assert policy.allow_all
    assert policy.permits("anything", LOOPBACK)
    assert policy.permits("anything", ipaddress.ip_address("fd00::1"))


def test_a_list_names_hosts_addresses_and_networks() -> None:
    policy = parse_allow_private("intranet.example., 127.0.0.1  10.0.0.0/8,fd00::/8 [::1]")
    assert policy.hosts == frozenset({"intranet.example"})
    assert set(policy.networks) == {
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("fd00::/8"),
        ipaddress.ip_network("::1/128"),
    }


@pytest.mark.parametrize("raw", ["10.0.0.0/33", "not a host!", "127.1", "http://x.example", "fd00::/200"])
def test_a_bad_entry_is_a_config_error_naming_the_key(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_allow_private(raw)
    assert "ALLOW_PRIVATE_URLS" in caught.value.user_message
    assert "\n" not in caught.value.user_message


def test_public_addresses_are_always_permitted() -> None:
    assert AddressPolicy().permits("example.com", PUBLIC)
    assert AddressPolicy().permits("example.com", ipaddress.ip_address("2606:4700::1111"))


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1"],
)
def test_the_default_policy_refuses_private_addresses(address: str) -> None:
    assert not AddressPolicy().permits("example.com", ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:127.0.0.1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::1",
        "::127.0.0.1",  # IPv4-compatible
        "::10.0.0.1",
        "::ffff:0:127.0.0.1",  # IPv4-translated
        "::ffff:0:192.168.1.1",
        "64:ff9b:1::7f00:1",  # local-use NAT64: never public, whatever it carries
        "64:ff9b:1::808:808",
        "::8.8.8.8",  # a deprecated form, not global unicast, even around a public address
        "100::1",  # discard-only
    ],
)
def test_ipv6_forms_of_a_private_ipv4_address_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))
    assert not AddressPolicy().permits("example.com", ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["2606:4700::1111", "2a00:1450:4009:81f::200e", "64:ff9b::808:808"])
def test_global_unicast_and_nat64_of_a_public_address_are_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_an_allowed_address_covers_its_ipv4_compatible_and_translated_forms() -> None:
    policy = parse_allow_private("127.0.0.1")
    assert policy.permits("x", ipaddress.ip_address("::127.0.0.1"))
    assert policy.permits("x", ipaddress.ip_address("::ffff:0:127.0.0.1"))


def test_a_network_in_the_list_permits_its_addresses_only() -> None:
    policy = parse_allow_private("10.0.0.0/8")
    assert policy.permits("wiki", ipaddress.ip_address("10.9.8.7"))
    assert not policy.permits("wiki", ipaddress.ip_address("192.168.1.1"))
    assert not policy.permits("wiki", LOOPBACK)


def test_an_allowed_address_covers_its_ipv4_mapped_form() -> None:
    policy = parse_allow_private("127.0.0.1")
    assert policy.permits("x", ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not policy.permits("x", ipaddress.ip_address("127.0.0.2"))


def test_an_ipv6_network_permits_ipv6_addresses() -> None:
    policy = parse_allow_private("fd00::/8")
    assert policy.permits("x", ipaddress.ip_address("fd12::1"))
    assert not policy.permits("x", ipaddress.ip_address("::1"))


def test_an_allowed_host_name_permits_whatever_it_resolves_to() -> None:
    policy = parse_allow_private("Intranet.Example")
    assert policy.permits("intranet.example", ipaddress.ip_address("10.0.0.5"))
    assert policy.permits("INTRANET.example.", LOOPBACK)
    assert not policy.permits("other.example", ipaddress.ip_address("10.0.0.5"))


def test_the_address_policy_is_read_from_the_environment_by_the_config_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert web_config({}).allow_private == AddressPolicy()
    assert web_config({"ALLOW_PRIVATE_URLS": "true"}).allow_private.allow_all
    monkeypatch.setenv("ALLOW_PRIVATE_URLS", "127.0.0.1")
    assert web_config().allow_private.permits("localhost", LOOPBACK)
