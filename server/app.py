"""The application factory: `create_app()` wires settings, database, routes and headers."""
from __future__ import annotations

import logging

from fastapi import FastAPI

from server import errors
from server.clock import ServerClock
from server.db import make_engine, migrate
from server.headers import SecurityHeaders
from server.routes import ROUTERS
from server.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO)
    engine = make_engine(settings.database_url)
    migrate(engine)
    if settings.demo_mode:
        from server.demo import load_demo

        load_demo(engine)

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
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"status": "ok"}

    return app
