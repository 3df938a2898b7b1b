"""The Coproduction Registry: a catalogue of public-service coproduction initiatives."""

from .app import create_app

__all__ = ["create_app"]
