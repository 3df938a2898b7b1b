"""Settings read from the environment (and a `.env` file), as `api.md` lists them."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv


class ConfigError(Exception):
    """A setting is unusable; the message is meant for the person who set it."""


@dataclass
class Settings:
    instance_dir: Path
    database_url: str
    index_dir: Path
    secret_key: str
    production: bool = False
    extra: dict = field(default_factory=dict)
    base_url: str | None = None  # the public address: absolute URLs are built from it
    trusted_hosts: list[str] | None = None  # Host values served in production
    trusted_proxies: int = 0  # reverse proxies in front whose X-Forwarded-* are believed

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Build settings from REGISTRY_* variables; keyword arguments win over the environment."""
        load_dotenv(override=False)
        env = os.environ
        instance = Path(
            overrides.pop("instance_dir", None) or env.get("REGISTRY_INSTANCE_DIR") or "instance"
        ).resolve()
        _ensure_writable(instance)
        database_url = (
            overrides.pop("database_url", None)
            or env.get("REGISTRY_DATABASE_URL")
            or f"sqlite:///{instance / 'registry.sqlite3'}"
        )
        index_dir = Path(
            overrides.pop("index_dir", None) or env.get("REGISTRY_INDEX_DIR") or instance / "index"
        ).resolve()
        secret_key = (
            overrides.pop("secret_key", None)
            or env.get("REGISTRY_SECRET_KEY")
            or _kept_secret(instance)
        )
        production = overrides.pop("production", None)
        if production is None:
            production = env.get("REGISTRY_ENV", "development") == "production"
        base_url = _base_url(overrides.pop("base_url", None) or env.get("REGISTRY_BASE_URL"))
        if production and base_url is None:
            raise ConfigError(
                "REGISTRY_BASE_URL must name the site's public address in production "
                "(e.g. https://registry.example.org): absolute URLs and the accepted Host "
                "come from it"
            )
        hosts = overrides.pop("trusted_hosts", None) or _words(env.get("REGISTRY_TRUSTED_HOSTS"))
        if not hosts and base_url is not None:
            hosts = [urlsplit(base_url).hostname]
        proxies = overrides.pop("trusted_proxies", None)
        if proxies is None:
            proxies = _count("REGISTRY_TRUSTED_PROXIES", env.get("REGISTRY_TRUSTED_PROXIES", "0"))
        return cls(
            instance, database_url, index_dir, secret_key, production, overrides,
            base_url, hosts or None, proxies,
        )  # fmt: skip


def _base_url(value: str | None) -> str | None:
    if not value:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise ConfigError(
            f"REGISTRY_BASE_URL must be http(s)://host[:port] with no path, not {value!r}"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _words(value: str | None) -> list[str]:
    return [w for w in (value or "").replace(",", " ").split() if w]


def _count(name: str, value: str) -> int:
    if not value.strip().isascii() or not value.strip().isdigit():
        raise ConfigError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create instance folder {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"instance folder {folder} is not writable")


def _kept_secret(instance: Path) -> str:
    """One key per instance folder, so every worker of a server signs sessions alike.

    The key is written whole to a private file first and then linked into place: the link
    either creates `secret_key` complete or fails because another worker's is there, so no
    worker ever reads a half-written or empty key.
    """
    path = instance / "secret_key"
    if not path.exists():
        fd, draft = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another worker's key won
                os.link(draft, path)
        finally:
            os.unlink(draft)
    return path.read_text().strip()
