"""One typed settings object, built by a factory so nothing is read at import time."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "unionsync"
SECRET_FILE_NAME = "secret_key"


class Settings(BaseSettings):
    """Configuration read from `UNIONSYNC_*` environment variables (and a `.env` file)."""

    model_config = SettingsConfigDict(env_prefix="UNIONSYNC_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=DEFAULT_DATA_DIR, description="Where files live.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite file `unionsync.db` inside data_dir.",
    )
    secret_key: str | None = Field(
        default=None, description="Signs cookies; generated and kept in data_dir when absent."
    )
    default_language: str = "ru"
    session_idle_minutes: int = Field(default=30, ge=1, description="Sign out after idling.")
    sign_in_failures_per_account_and_address: int = Field(
        default=5, ge=1, description="Failed sign-ins to one account from one address, per window."
    )
    sign_in_failures_per_address: int = Field(
        default=30, ge=1, description="Failed sign-ins from one address to any account, per window."
    )
    sign_in_failures_per_account: int = Field(
        default=100,
        ge=1,
        description="Failed sign-ins to one account from all addresses before it is refused "
        "everywhere, for at most the window.",
    )
    shared_results_max_stale_seconds: float = Field(
        default=10.0,
        ge=0,
        le=3600,
        description="After a change, the overview and synchronisation pages show the previous "
        "figures while the job worker recomputes them (never computing them in a request); "
        "0 makes every request compute what is not current (tests, no job worker).",
    )
    sign_in_window_minutes: int = Field(default=10, ge=1, le=1440)
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; from anyone else they are ignored.",
    )
    ocds_prefix: str = Field(
        default="ocds-unsync",
        pattern=r"^ocds-[a-z0-9]{6}$",
        description="The OCDS ocid prefix registered for this publisher (ocds- and six "
        "characters); every call's and tender's ocid starts with it.",
    )
    public_dashboard: bool = Field(
        default=False, description="Show the overview (figures only) without signing in."
    )
    match_accept: float = Field(
        default=0.9, gt=0, le=1, description="Matches at or above this probability are accepted."
    )
    match_review: float = Field(
        default=0.5, gt=0, le=1, description="Matches from this probability up go to review."
    )
    match_model: Path | None = Field(
        default=None, description="A model from `unionsync match train` used by runs."
    )
    match_vectors: bool = Field(
        default=False,
        description="Add E5 sentence-vector neighbours to candidates (slow the first time).",
    )
    jobs_in_process: bool = Field(
        default=True, description="Run background jobs in a thread of the web server."
    )
    dask_scheduler: str | None = Field(
        default=None,
        description="Where heavy jobs run: unset in this process, `local:N` on N local worker "
        "processes, `tcp://host:8786` on a running Dask cluster (README, «Running on a cluster»).",
    )

    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite default inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'unionsync.db'}"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept beside the data (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_FILE_NAME
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key, encoding="ascii")
        path.chmod(0o600)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings` instead."""
    return Settings()
