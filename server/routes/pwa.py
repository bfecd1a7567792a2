"""Serves the built PWA (pwa/dist): the app shell, the service worker at the root."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
