"""Routers per resource. Order matters only for the catch-all PWA routes (last)."""
from server.api import admin, devices, docs, lists, organisations, pwa, records, session, sync

ROUTERS = [
    session.router,
    devices.router,
    admin.router,
    organisations.router,
    records.router,
    lists.router,
    docs.router,
    sync.router,
    pwa.router,
]
