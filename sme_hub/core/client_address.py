"""The client a request comes from, as throttling counts it (the web half of core)."""

from typing import Any

from litestar import Request

from sme_hub.core.proxies import client_host


def client_address(request: Request[Any, Any, Any]) -> str:
    """The client as core/proxies.py made it out (behind a trusted proxy: the forwarded one),
    so one client's failures throttle that client, not everyone behind the proxy."""
    return client_host(request.scope) or "unknown"
