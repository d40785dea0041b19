"""The client behind a reverse proxy: the one place that believes X-Forwarded-For and
X-Forwarded-Proto, and only from the proxies named in SME_HUB_TRUSTED_PROXIES.

Behind nginx every connection comes from the proxy's address, so the login throttling, the
audit log, the request log and /metrics would all take one attacker for everybody. The
middleware rewrites the ASGI scope's `client` and `scheme` before anything else reads them,
so everything downstream (`request.client`, `scope["client"]`) sees the real client. Anyone
can send those headers, so they are ignored unless the connection's own peer is trusted.
"""

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

from sme_hub.config import Network, networks

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_SCHEMES = {"http": ("http", "ws"), "https": ("https", "wss")}


def as_address(text: str | None) -> IPAddress | None:
    """An address as proxies write it (`203.0.113.7`, `2001:db8::1`, `[2001:db8::1]`), or None
    for anything else (a unix socket, `unknown`, a made-up value). An IPv4 address mapped
    into IPv6 (a dual-stack socket's `::ffff:10.0.0.1`) is the IPv4 address."""
    if not text:
        return None
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(host: str | None, trusted: Sequence[Network]) -> bool:
    address = as_address(host)
    return address is not None and any(address in network for network in trusted)


def forwarded_client(
    peer: str | None, forwarded_for: str, trusted: Sequence[Network]
) -> str | None:
    """The client's address: the peer itself unless it is a trusted proxy; then the
    right-most address of X-Forwarded-For that is not a trusted proxy (the ones to its left
    were written by the client and may be anything). Every hop trusted: the left-most one.
    A value that is no address stops the walk at the last hop a trusted proxy vouched for."""
    if not is_trusted(peer, trusted):
        return peer
    client = peer
    for entry in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        address = as_address(entry)
        if address is None:
            break
        client = str(address)
        if not any(address in network for network in trusted):
            break
    return client


def forwarded_scheme(
    peer: str | None, scheme: str, forwarded_proto: str, trusted: Sequence[Network]
) -> str:
    """`https` when a trusted proxy says it took the request over TLS (the right-most value,
    written by the proxy next to us); `ws`/`wss` kept for websockets. Otherwise `scheme`."""
    proto = forwarded_proto.rsplit(",", 1)[-1].strip().lower()
    if proto not in _SCHEMES or not is_trusted(peer, trusted):
        return scheme
    plain, socket = _SCHEMES[proto]
    return socket if scheme in ("ws", "wss") else plain


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str:
    """Every line of a header joined, in order, as one comma-separated value."""
    return ",".join(value.decode("latin-1") for key, value in headers if key.lower() == name)


def client_host(scope: Scope | dict[str, Any]) -> str | None:
    """The client's address once the middleware has run (None over a unix socket)."""
    client = scope.get("client")
    return str(client[0]) if client else None


def trusted_proxy_middleware(app: ASGIApp, proxies: Iterable[str]) -> ASGIApp:
    """Put the forwarded client and scheme in the scope; installed outermost (app.py).
    `proxies`: settings.trusted_proxies."""
    trusted = networks(proxies)
    if not trusted:
        return app

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = client_host(scope)
            if is_trusted(peer, trusted):
                headers = scope["headers"]
                host = forwarded_client(peer, _header(headers, b"x-forwarded-for"), trusted)
                client = scope.get("client")
                port = client[1] if client and host == peer else 0
                scope["client"] = (host, port) if host else client
                scope["scheme"] = forwarded_scheme(
                    peer, scope["scheme"], _header(headers, b"x-forwarded-proto"), trusted
                )
        await app(scope, receive, send)

    return middleware
