"""Moving a test database to a given migration, as `schema_migrations.upgrade` does (SQLite
rebuilds tables that foreign keys point at: the keys are off meanwhile), and reading its rows
raw, so that a migration test compares what is stored, not what today's models make of it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Engine

from registry import schema_migrations


def move_to(engine: Engine, revision: str, *, up: bool = False) -> None:
    """Downgrade (or, with `up`, upgrade) the database to `revision`."""
    config = schema_migrations.alembic_config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        if sqlite:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                (command.upgrade if up else command.downgrade)(config, revision)
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")


def rows(
    engine: Engine, tables: tuple[str, ...], columns: dict[str, set[str]] | None = None
) -> dict[str, list[tuple]]:
    """Every row of `tables` in primary-key order, limited to `columns` when given."""
    meta = MetaData()
    meta.reflect(engine, only=tables)
    found = {}
    with engine.connect() as conn:
        for name in tables:
            table = meta.tables[name]
            keep = [c for c in table.columns if columns is None or c.name in columns[name]]
            found[name] = [
                tuple(r) for r in conn.execute(select(*keep).order_by(*table.primary_key.columns))
            ]
    return found
