"""WSGI entry point for gunicorn: `gunicorn registry.wsgi:app`."""

from .app import create_app, freeze_startup_objects

app = create_app()
freeze_startup_objects()
