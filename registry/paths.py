"""Where the project's non-Python folders are: beside the package in a checkout, inside it
when installed from a wheel (see pyproject's force-include)."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource(name: str) -> Path:
    checkout = _PACKAGE.parent / name
    return checkout if checkout.is_dir() else _PACKAGE / name


TEMPLATES = resource("templates")
STATIC = resource("static")
SEEDS = resource("seeds")
