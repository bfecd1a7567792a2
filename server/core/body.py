"""Request bodies: a size limit that answers in the API's error shape, and a reader for
the push body that keeps one unreadable op from failing the batch.

`BodyLimit` buffers each request body up to `MAX_BODY_BYTES` (Content-Length or chunked
alike) and answers `413 batch_too_large` (reason `body`) past it, before any route runs.

`split_push_body` reads `{"device_id": …, "ops": [ … ]}`. The whole body is parsed with
the standard parser when it can be; when it cannot (an op nested a thousand levels
deep, an integer of 5,000 digits), each op is cut out of the text by a small scanner
and parsed on its own, so only the bad op is refused. NaN and Infinity, which Python's
parser would accept, become `NOT_A_NUMBER` and are refused per op by `sync.ops.parse`.
"""
from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.problems import problem
from server.settings import MAX_BODY_BYTES
from sync.ops import NOT_A_NUMBER, Unreadable


class BodyError(ValueError):
    """The body as a whole is not a push body (not JSON, not an object, no ops list)."""

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason)
        self.reason, self.field = reason, field


def loads(text: str | bytes):
    """Standard JSON, except that NaN/Infinity literals become NOT_A_NUMBER."""
    return json.loads(text, parse_constant=lambda _literal: NOT_A_NUMBER)


def split_push_body(body: bytes) -> tuple[object, list]:
    """(device_id, raw ops) of a push body; a raw op may be an `Unreadable`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError("json") from None
    try:
        data = loads(text)
    except (ValueError, RecursionError):
        return _split_slowly(text)
    if not isinstance(data, dict):
        raise BodyError("json")
    if not isinstance(data.get("ops"), list):
        raise BodyError("not_list", "ops")
    return data.get("device_id"), data["ops"]


# --- the slow path: a scanner that finds the top-level members and the ops' extents ----

WHITESPACE = " \t\n\r"


def _skip_value(text: str, i: int) -> int:
    """The index just past the JSON value starting at `i` (iterative: no recursion)."""
    depth, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            if depth == 0:
                return i
            continue
        if depth == 0 and (char in ",]}:" or char in WHITESPACE):
            return i  # the end of a number or literal
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    if depth:
        raise BodyError("json")
    return i


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in WHITESPACE:
        i += 1
    return i


def _elements(text: str, i: int, close: str, pairs: bool):
    """The elements of the array (or the key/value pairs of the object) opened just
    before `i`: (start, end) spans, or (key, value start, value end) for pairs."""
    i = _skip_space(text, i)
    if i < len(text) and text[i] == close:
        return
    while i < len(text):
        end = _skip_value(text, i)
        if end == i:
            raise BodyError("json")  # an empty element: "[1,,2]"
        if pairs:
            key = loads(text[i:end])
            colon = _skip_space(text, end)
            if colon >= len(text) or text[colon] != ":":
                raise BodyError("json")
            start = _skip_space(text, colon + 1)
            end = _skip_value(text, start)
            yield key, start, end
        else:
            yield i, end
        i = _skip_space(text, end)
        if i < len(text) and text[i] == close:
            return
        if i >= len(text) or text[i] != ",":
            raise BodyError("json")
        i = _skip_space(text, i + 1)
    raise BodyError("json")


def _split_slowly(text: str) -> tuple[object, list]:
    i = _skip_space(text, 0)
    if i >= len(text) or text[i] != "{" or _skip_space(text, _skip_value(text, i)) != len(text):
        raise BodyError("json")
    device_id, ops = None, None
    for key, start, end in _elements(text, i + 1, "}", pairs=True):
        if key == "device_id":
            device_id = _one_op(text[start:end])
        elif key == "ops":
            if text[start] != "[":
                raise BodyError("not_list", "ops")
            ops = [_one_op(text[a:b]) for a, b in _elements(text, start + 1, "]", pairs=False)]
    if ops is None:
        raise BodyError("not_list", "ops")
    return device_id, ops


def _one_op(text: str):
    try:
        return loads(text)
    except (ValueError, RecursionError):
        return Unreadable(text[:4096])


class BodyLimit:
    """Pure ASGI middleware: at most MAX_BODY_BYTES per request body, else a JSON 413."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()  # waits for the disconnect, as a real receive does
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        known = problem("batch_too_large")
        body = json.dumps({"error": {"code": known.code, "message": known.render("body", limit=self.limit // (1024 * 1024)),
                                     "field": None}}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
