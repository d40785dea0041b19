"""A few seconds of memory for what every anonymous visitor reads alike: the public lists of
calls, courses, partners and awarded grants, as pages and as JSON.

On an open call's last day most requests are these lists, and they are the same for
everyone who is not logged in; rendering each one anew costs 10–30 ms of CPU. Each worker
process keeps the answers for `SME_HUB_PUBLIC_CACHE_SECONDS` (10 by default, 0 turns it
off), so a list is at most that old. Only answers that hold nothing of the visitor's are
kept: no user, no credentials, no session data (a flash message lives there), status 200,
and without the cookies that the layers inside set. Logged-in people, and everything they
do, always get a fresh answer.

A handler opts in with `middleware=[public_cache]`. Litestar's own response cache is not used:
it sits outside the CSRF middleware and keeps the Set-Cookie of the first visitor's CSRF
token, which it would then hand to everyone.
"""

import asyncio
import time
from typing import Any

from litestar.datastructures import Headers
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from sme_hub.core.i18n import current_locale

# Different query strings are different keys; a scanner making up queries must not grow a
# worker's memory without bound, nor a huge answer be kept.
MAX_ENTRIES = 2048
MAX_BODY_BYTES = 1_000_000


class KeptAnswers:
    """Answers (ASGI messages) by key, each until its moment of expiry; at most
    `max_entries`, dropping the expired and then the oldest when full."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._answers: dict[str, tuple[float, list[Message]]] = {}
        # Answers being made: when one expires under load, the requests for it wait for the
        # one being made instead of all making it at once.
        self.in_making: dict[str, asyncio.Future[list[Message] | None]] = {}

    def get(self, key: str, now: float) -> list[Message] | None:
        kept = self._answers.get(key)
        if kept is None:
            return None
        if kept[0] <= now:
            del self._answers[key]
            return None
        return kept[1]

    def put(self, key: str, messages: list[Message], until: float, now: float) -> None:
        self._answers.pop(key, None)
        if len(self._answers) >= self.max_entries:
            for stale in [k for k, (expiry, _m) in self._answers.items() if expiry <= now]:
                del self._answers[stale]
            while len(self._answers) >= self.max_entries:
                del self._answers[next(iter(self._answers))]
        self._answers[key] = (until, messages)

    def __len__(self) -> int:
        return len(self._answers)


def shareable(scope: Any) -> bool:
    """Whether the answer to this request would be the same for any anonymous visitor."""
    if scope.get("user") is not None or scope.get("session"):
        return False
    return not any(name == b"authorization" for name, _value in scope.get("headers", ()))


def cache_key(scope: Any) -> str:
    query = "&".join(sorted(scope["query_string"].decode("latin-1").split("&")))
    headers = Headers.from_scope(scope)
    # An htmx request gets the list fragment only, and which one depends on its target.
    fragment = headers.get("hx-target", "*") if headers.get("hx-request") else ""
    return f"{current_locale.get()} {scope['method']} {scope['path']}?{query} {fragment}"


def _copy(message: Message, *, cookies: bool = True) -> Message:
    """Layers outside add their headers (request id, language) to the message they pass on:
    each answer from memory is a new message."""
    copied: Any = dict(message)
    if "headers" in copied:
        copied["headers"] = [
            (k, v) for k, v in copied["headers"] if cookies or k.lower() != b"set-cookie"
        ]
    return copied  # type: ignore[no-any-return]


def public_cache(app: ASGIApp) -> ASGIApp:
    """Route middleware: answer anonymous GETs from the worker's kept answers."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["litestar_app"].state
        seconds = state.settings.public_cache_seconds
        if seconds <= 0 or scope.get("method") != "GET" or not shareable(scope):
            await app(scope, receive, send)
            return
        answers: KeptAnswers = state.kept_answers
        key = cache_key(scope)
        now = time.monotonic()
        kept = answers.get(key, now)
        if kept is None and key in answers.in_making:
            kept = await asyncio.shield(answers.in_making[key])
        if kept is not None:
            for message in kept:
                await send(_copy(message))
            return
        made: asyncio.Future[list[Message] | None] = asyncio.get_running_loop().create_future()
        answers.in_making[key] = made
        messages: list[Message] = []
        size = 0

        async def keep_and_send(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    messages.append(_copy(message, cookies=False))  # before outer layers add theirs
            elif messages and message["type"] == "http.response.body":
                size += len(message.get("body", b""))
                messages.append(_copy(message))
                if size > MAX_BODY_BYTES:
                    messages.clear()
                elif not message.get("more_body"):
                    answers.put(key, messages, now + seconds, now)
                    made.set_result(messages)
            await send(message)

        try:
            await app(scope, receive, keep_and_send)
        finally:
            if not made.done():
                made.set_result(None)  # not kept: those waiting make their own
            if answers.in_making.get(key) is made:
                del answers.in_making[key]

    return middleware
