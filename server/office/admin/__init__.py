"""Administration under /kontor/admin, on the office's frame (server/office/__init__.py):

- accounts (administrators): users — create with role and organisation, one-time
  invitation and reset links, deactivate and reactivate, change role and team (the
  phones evict what they may no longer see); teams and partner organisations; devices —
  the name the worker gave it, its user, last sync, pending quarantine, revoke, re-admit
  (users.py, organisations.py, devices.py);
- quarantine triage (project leads): re-apply corrected as a new op, or dismiss with a
  reason (triage.py, quarantine.py);
- the audit log with names, filters and the per-citizen access report (audit_log.py,
  audit_pages.py);
- choosing a password with a one-time link, and changing one's own (password.py).

The logic of accounts is in server/auth/accounts.py (shared with the set-up command and
the admin API); these modules are the pages.
"""
from __future__ import annotations


def routers() -> list:
    from server.office.admin import audit_pages, devices, home, organisations, password, quarantine, users

    return [home.router, users.router, organisations.router, devices.router, quarantine.router, audit_pages.router,
            password.router]
