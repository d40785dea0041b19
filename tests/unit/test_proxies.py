"""Who the client is behind a reverse proxy: X-Forwarded-For and X-Forwarded-Proto are
believed from SME_HUB_TRUSTED_PROXIES only."""

from pathlib import Path
from typing import Any

import pytest

from sme_hub.config import ConfigurationError, load_settings, networks
from sme_hub.core.proxies import (
    as_address,
    forwarded_client,
    forwarded_scheme,
    is_trusted,
    trusted_proxy_middleware,
)

LOCAL = networks(["127.0.0.1", "::1"])
NGINX_AND_BALANCER = networks(["127.0.0.1", "10.0.0.0/8"])


def test_the_setting_takes_addresses_and_ranges(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "SME_HUB_DATA_DIR": str(tmp_path),
            "SME_HUB_TRUSTED_PROXIES": " 127.0.0.1 , 10.0.0.0/8,, 2001:db8::/32 ",
        }
    )
    assert settings.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "2001:db8::/32")
    assert load_settings({"SME_HUB_DATA_DIR": str(tmp_path)}).trusted_proxies == ()


def test_a_wrong_entry_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="nginx-host"):
        load_settings({"SME_HUB_DATA_DIR": str(tmp_path), "SME_HUB_TRUSTED_PROXIES": "nginx-host"})


def test_addresses_as_proxies_write_them() -> None:
    assert str(as_address(" 203.0.113.7 ")) == "203.0.113.7"
    assert str(as_address("[2001:db8::1]")) == "2001:db8::1"
    assert str(as_address("::ffff:127.0.0.1")) == "127.0.0.1"
    for junk in (None, "", "unknown", "testclient", "203.0.113.7:4711", "<script>"):
        assert as_address(junk) is None


def test_only_a_listed_peer_is_trusted() -> None:
    assert is_trusted("127.0.0.1", LOCAL)
    assert is_trusted("::ffff:127.0.0.1", LOCAL)
    assert is_trusted("10.20.30.40", NGINX_AND_BALANCER)
    assert not is_trusted("127.0.0.2", LOCAL)
    assert not is_trusted("198.51.100.9", NGINX_AND_BALANCER)
    assert not is_trusted("testclient", LOCAL)
    assert not is_trusted(None, LOCAL)
    assert not is_trusted("127.0.0.1", ())


def test_an_untrusted_peer_is_the_client_whatever_it_says() -> None:
    assert forwarded_client("198.51.100.9", "203.0.113.7", LOCAL) == "198.51.100.9"
    assert forwarded_client("127.0.0.1", "203.0.113.7", ()) == "127.0.0.1"
    assert forwarded_client(None, "203.0.113.7", LOCAL) is None


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client() -> None:
    assert forwarded_client("127.0.0.1", "203.0.113.7", LOCAL) == "203.0.113.7"
    # The client wrote the left part itself: nginx's $proxy_add_x_forwarded_for appends the
    # address it saw, which is the one to believe.
    assert forwarded_client("127.0.0.1", "1.1.1.1, 203.0.113.7", LOCAL) == "203.0.113.7"
    assert forwarded_client("127.0.0.1", "1.1.1.1,203.0.113.7 , 10.0.0.5", NGINX_AND_BALANCER) == (
        "203.0.113.7"
    )
    assert forwarded_client("127.0.0.1", "[2001:db8::7]", LOCAL) == "2001:db8::7"


def test_edge_cases_of_the_forwarded_chain() -> None:
    # No header: the proxy itself (a health check, a local scraper).
    assert forwarded_client("127.0.0.1", "", LOCAL) == "127.0.0.1"
    # Every hop a trusted proxy: the farthest one known.
    assert forwarded_client("127.0.0.1", "10.0.0.9, 10.0.0.5", NGINX_AND_BALANCER) == "10.0.0.9"
    # Something that is no address stops the walk at the last hop a proxy vouched for.
    assert forwarded_client("127.0.0.1", "203.0.113.7, garbage", LOCAL) == "127.0.0.1"
    assert forwarded_client("127.0.0.1", "garbage, 10.0.0.5", NGINX_AND_BALANCER) == "10.0.0.5"


def test_the_scheme_comes_from_a_trusted_proxy_only() -> None:
    assert forwarded_scheme("127.0.0.1", "http", "https", LOCAL) == "https"
    assert forwarded_scheme("127.0.0.1", "http", "HTTPS", LOCAL) == "https"
    assert forwarded_scheme("127.0.0.1", "http", "https, http", LOCAL) == "http"
    assert forwarded_scheme("127.0.0.1", "ws", "https", LOCAL) == "wss"
    assert forwarded_scheme("127.0.0.1", "http", "", LOCAL) == "http"
    assert forwarded_scheme("127.0.0.1", "http", "gopher", LOCAL) == "http"
    assert forwarded_scheme("198.51.100.9", "http", "https", LOCAL) == "http"


async def seen_scope(proxies: tuple[str, ...], peer: tuple[str, int] | None, **headers: str) -> Any:
    """The scope the app behind the middleware gets."""
    seen: dict[str, Any] = {}

    async def app(scope: Any, _receive: Any, _send: Any) -> None:
        seen.update(scope)

    scope = {
        "type": "http",
        "scheme": "http",
        "client": peer,
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }
    await trusted_proxy_middleware(app, proxies)(scope, None, None)  # type: ignore[arg-type]
    return seen


async def test_the_middleware_rewrites_the_scope_for_a_trusted_peer_only() -> None:
    forwarded = {"x_forwarded_for": "203.0.113.7", "x_forwarded_proto": "https"}
    trusted = await seen_scope(("127.0.0.1",), ("127.0.0.1", 50000), **forwarded)
    assert trusted["client"] == ("203.0.113.7", 0)
    assert trusted["scheme"] == "https"

    stranger = await seen_scope(("127.0.0.1",), ("198.51.100.9", 50000), **forwarded)
    assert stranger["client"] == ("198.51.100.9", 50000)
    assert stranger["scheme"] == "http"

    untrusting = await seen_scope((), ("127.0.0.1", 50000), **forwarded)
    assert untrusting["client"] == ("127.0.0.1", 50000)
    assert untrusting["scheme"] == "http"

    unix_socket = await seen_scope(("127.0.0.1",), None, **forwarded)
    assert unix_socket["client"] is None
