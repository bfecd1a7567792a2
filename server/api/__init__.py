"""Routers per resource. Order matters only for the catch-all PWA routes (last)."""
from server.api import admin, devices, docs, forms, lists, oidc, organisations, pwa, records, reports, schedule, session, sync
from server.office.admin import routers as admin_pages

ROUTERS = [
    session.router,
    devices.router,
    admin.router,
    organisations.router,
    records.router,
    lists.router,
    docs.router,
    sync.router,
    forms.router,
    schedule.router,
    oidc.router,
    reports.router,  # reports, the pseudonymous register, the research export (server/office)
    *admin_pages(),  # /kontor/admin, /kontor/adgangskode, /kontor/konto (server/office/admin)
    pwa.router,
]
