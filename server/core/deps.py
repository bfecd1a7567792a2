"""Request-scoped dependencies shared by the routers, and the route class every API
router uses.

A request's database session must never hold a pooled connection while the request
waits for a worker thread. Sync dependencies, sync routes and the validation of a sync
route's response each run on one of anyio's worker threads (40 in all); a session keeps
its connection from its first query until its transaction ends. A request that still
holds its connection while it queues for the next thread (the route, or the response's
validation) can, once every connection is held that way, leave every thread waiting
for a connection: a deadlock that the pool's 30 s timeout turned into 500s at about 55
simultaneous requests (docs/architecture.md). So every step ends its transaction before
it gives its thread back: `require` commits, `ReleasingRoute` ends the route's
transaction (a rollback: what closing the session did anyway), sessions keep their
objects readable after commit, and the session is closed on the event loop.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator
from contextvars import ContextVar

from fastapi import Request
from fastapi.routing import APIRoute
from sqlmodel import Session

REQUEST_SESSION: ContextVar[Session | None] = ContextVar("request_session", default=None)


async def get_db(request: Request) -> AsyncIterator[Session]:
    session = Session(request.app.state.engine, expire_on_commit=False)
    token = REQUEST_SESSION.set(session)
    try:
        yield session
    finally:
        REQUEST_SESSION.reset(token)
        session.close()


def _releasing(endpoint):
    """A sync endpoint that ends its request's transaction on its own thread."""

    @functools.wraps(endpoint)
    def endpoint_then_release(*args, **kwargs):
        try:
            return endpoint(*args, **kwargs)
        finally:
            session = REQUEST_SESSION.get()
            if session is not None:
                session.rollback()  # no-op after a commit; returns the connection to the pool

    return endpoint_then_release


class ReleasingRoute(APIRoute):
    """The route class of every API router (see the module docstring)."""

    def __init__(self, path: str, endpoint, **kwargs):
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _releasing(endpoint)
        super().__init__(path, endpoint, **kwargs)
