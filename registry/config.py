"""Settings read from the environment (and a `.env` file), as `api.md` lists them."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

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
        return cls(instance, database_url, index_dir, secret_key, production, overrides)


def _ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create instance folder {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"instance folder {folder} is not writable")


def _kept_secret(instance: Path) -> str:
    """One key per instance folder, so every worker of a server signs sessions alike."""
    path = instance / "secret_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker wrote it first
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()
