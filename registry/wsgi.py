"""WSGI entry point for any WSGI server (`registry serve` runs waitress on the same app;
`waitress-serve registry.wsgi:app` or `gunicorn registry.wsgi:app` also work)."""

from .app import create_app, freeze_startup_objects

app = create_app()
freeze_startup_objects()
