"""One settings object, read from the environment (prefix BROBYGGER_)."""
from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_BODY_BYTES = 16 * 1024 * 1024  # 500 ops of typical size fit many times over


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROBYGGER_", env_file=None)

    database_url: str = "sqlite:///var/brobygger.db"
    secret_key: str = "change-me-in-production"  # pepper for session token hashes
    demo_mode: bool = False  # load demo data and demo users on start (make run sets it)
    max_clock_drift_seconds: int = 300  # ops with an HLC further ahead are rejected
    session_idle_minutes: int = 12 * 60
    session_absolute_hours: int = 7 * 24
    login_attempts_per_window: int = 5  # per username and per client address
    login_window_seconds: int = 300
    cookie_secure: bool = False  # set true behind HTTPS
    max_push_ops: int = 500
    # What one user, and one device, may push: bytes per window and per day (429 past it).
    push_quota_bytes: int = 50 * 1024 * 1024
    push_quota_window_seconds: int = 600
    push_quota_bytes_per_day: int = 500 * 1024 * 1024
    # Requests of one session (or one address without a session) that run at once; the rest
    # wait without holding a worker thread (server/core/fairness.py).
    requests_at_once_per_caller: int = 8
    # Proxies whose X-Forwarded-For is trusted (comma-separated addresses); none by default.
    trusted_proxies: str = ""
    # The public origin (scheme://host[:port]) the office and phones use, when a proxy
    # rewrites the Host header; state-changing requests from any other origin are refused.
    public_origin: str = ""
    max_pull_limit: int = 1000
    pwa_dir: str = "pwa/dist"
    # Office reports (server/office/discretion.py): a count above 0 and below this is shown
    # as "<N" (the evaluation's discretion rule); teams with fewer units than
    # `report_pool_below` are pooled into one series in by-team figures.
    report_threshold: int = 3
    report_pool_below: int = 10
    # A one-time link to choose a password (invitation, reset) works this long.
    invitation_hours: int = 72
    # Log in with the municipality's OpenID Connect provider (server/auth/oidc.py); off
    # while `oidc_issuer` is empty. Users are matched by `oidc_user_claim` against
    # `user.external_id`; roles stay in Brobygger.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_user_claim: str = "email"
    oidc_scopes: str = "openid email profile"
    oidc_label: str = "Log ind med kommunens login"
    # "login": the provider asks the person to log in every time (a shared office PC or a
    # found phone does not log in on someone else's provider session); "" allows single sign-on.
    oidc_prompt: str = "login"


@lru_cache
def get_settings() -> Settings:
    return Settings()
