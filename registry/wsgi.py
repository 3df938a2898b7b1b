"""WSGI entry point for any WSGI server (`registry serve` runs waitress on the same app;
`waitress-serve registry.wsgi:app` or `gunicorn registry.wsgi:app` also work)."""

from .app import create_app, freeze_startup_objects
from .extensions import registry_of, search_index
from .search import follower

app = create_app()
# One index follower per worker process: searches only read the index.
follower.start(search_index(app), registry_of(app).engine)
freeze_startup_objects()
