"""Routers per resource. Order matters only for the catch-all PWA routes (last)."""
from server.routes import pwa

ROUTERS = [pwa.router]
