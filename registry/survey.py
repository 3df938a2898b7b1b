"""The 2010 OECD survey's reference figures (seeds/survey_reference.json), shown beside the
registry's own, and how the data files of `seeds/` are read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .paths import SEEDS


class SeedError(Exception):
    """A seed file is missing or malformed; the message names the file and the record."""


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(f"{path}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SeedError(f"{path}: not valid JSON ({exc})") from None


def survey_reference(folder: Path = SEEDS) -> dict[str, Any]:
    """The survey's figures (docs/vocabulary.md), checked for their three sections."""
    data = read_json(folder / "survey_reference.json")
    if not isinstance(data, dict) or not {"motives", "obstacles", "success_factors"} <= set(data):
        raise SeedError(f"{folder / 'survey_reference.json'}: missing reference sections")
    return data
