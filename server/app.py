"""The application factory: `create_app()` wires settings, database, routes and headers."""
from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlalchemy import func, select

from schemas.oplog import OpRow
from server import office
from server.api import ROUTERS
from server.core import errors
from server.core.body import BodyLimit
from server.core.clock import ServerClock
from server.core.db import make_engine, migrate
from server.core.fairness import PerCallerLimit
from server.core.headers import SecurityHeaders
from server.core.origin import SameOriginWrites
from server.settings import MAX_BODY_BYTES, Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO)
    engine = make_engine(settings.database_url)
    migrate(engine)
    if settings.demo_mode:
        from server.demo import load_demo

        load_demo(engine)

    if not settings.demo_mode and settings.secret_key == Settings.model_fields["secret_key"].default:
        logging.getLogger("brobygger").warning("BROBYGGER_SECRET_KEY is the default: set a long random value in production")
    app = FastAPI(
        title="Brobygger",
        version="0.1.0",
        docs_url=None,  # /api/docs is our own script-free page (strict CSP)
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = ServerClock(settings.max_clock_drift_seconds * 1000)
    with engine.connect() as connection:
        app.state.clock.resume_after(connection.execute(select(func.max(OpRow.hlc))).scalar())
    errors.install(app)
    app.add_middleware(errors.CatchAll)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(PerCallerLimit, limit=settings.requests_at_once_per_caller)
    app.add_middleware(SameOriginWrites, public_origin=settings.public_origin)
    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)  # outermost: headers on every response
    for router in ROUTERS:
        app.include_router(router)
    office.install(app)  # the /kontor/ pages, and HTML instead of JSON for their errors

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:  # async: answers even while every worker thread is busy
        return {"status": "ok"}

    return app
