"""The `registry` command: a Flask CLI group. Errors are one line on stderr and exit 1."""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup, ScriptInfo, with_appcontext
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm
from waitress import serve as serve_forever
from werkzeug.datastructures import MultiDict

from . import accounts, actions, backup, mail, outbox, schema_migrations, search, seeds
from .app import create_app, freeze_startup_objects
from .config import ConfigError
from .db import read_session, write_session
from .extensions import registry_of, search_index
from .filters import BadParameter, parse_filters
from .paths import SEEDS
from .search import follower as search_follower
from .survey import SeedError
from .transfer import exporting
from .transfer.importing import FileRows, ImportFailed
from .web import alerts as web_alerts
from .web.media import external_urls
from .web.opendata import text_query_ids


class RegistryGroup(AppGroup):
    """Builds the app once for every command and turns known failures into one clear line."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ConfigError, SeedError) as exc:
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise click.ClickException(f"database error: {reason}") from None


@click.group(cls=RegistryGroup)
@click.pass_context
def main(ctx: click.Context) -> None:
    """The Coproduction Registry."""
    if ctx.resilient_parsing or "--help" in sys.argv:
        return
    app = _build_app()
    info = ctx.ensure_object(ScriptInfo)
    info._loaded_app = app
    ctx.with_resource(app.app_context())


def _build_app() -> Flask:
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


# Processes analysing records in a bulk build (2.5 times faster than one on two cores).
INDEX_PROCS = max(1, min(4, os.cpu_count() or 1))


@main.command()
@with_appcontext
def init() -> None:
    """Create or upgrade the database (migrations) and the search index; safe to run twice."""
    registry = registry_of()
    schema_migrations.upgrade(registry.engine)
    click.echo("database is up to date")
    index = search_index()
    name = index.current_generation()
    missing = name is None or index.filling(name)
    if missing or index.format() != search.FORMAT:
        # Built in bulk rather than by replaying the change log: a new server's first start.
        count = search.rebuild(index, registry.engine, procs=INDEX_PROCS)
        done = "built" if missing else "rebuilt for this version"
        click.echo(f"search index {done} ({count} published initiatives)")
    else:
        with read_session(registry.engine) as session:
            applied = search.catch_up(index, session, timeout=30)
        click.echo(f"search index is ready ({applied or 0} changes applied)")


@main.group()
def index() -> None:
    """Maintain the search index (derived from the database's change log)."""


@index.command("rebuild")
@with_appcontext
def index_rebuild() -> None:
    """Build a new index beside the live one and swap it in (searches keep working)."""
    count = search.rebuild(search_index(), registry_of().engine, procs=INDEX_PROCS)
    click.echo(f"rebuilt the search index: {count} published initiatives")


@index.command("catch-up")
@with_appcontext
def index_catch_up() -> None:
    """Apply the database changes the index has not seen yet."""
    with read_session(registry_of().engine) as session:
        applied = search.catch_up(search_index(), session, timeout=60)
    if applied is None:
        raise click.ClickException("the index is locked by another process; try again")
    click.echo(f"applied {applied} changes")


@index.command("check")
@with_appcontext
def index_check() -> None:
    """Report drift between database and index; exit 1 when there is any."""
    with read_session(registry_of().engine) as session:
        drift = search.check(search_index(), session)
    for name, ids in (
        ("published but missing from the index", drift.missing),
        ("stale in the index (version differs)", drift.stale),
        ("in the index but not published", drift.unpublished),
        ("in the index more than once", drift.duplicated),
    ):
        for initiative_id in ids:
            click.echo(f"{name}: {initiative_id}")
    if drift.outdated:
        click.echo("the index was made by an earlier version of the registry")
    if not drift.clean:
        click.echo(
            "drift found: run `registry index catch-up` or `registry index rebuild`", err=True
        )
        sys.exit(1)
    click.echo("index and database agree")


@main.command()
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=SEEDS,
    help="Folder holding initiatives.json and survey_reference.json.",
)
@with_appcontext
def seed(folder: Path) -> None:
    """Load the illustrative initiatives from seeds/ (running it twice adds nothing)."""
    registry = registry_of()
    if not schema_migrations.is_current(registry.engine):
        raise click.ClickException("the database is not initialised: run `registry init` first")
    added, present = seeds.seed(registry.engine, folder)
    click.echo(f"seeded {added} initiatives ({present} already present)")


# Serving (README "Serving"): waitress reads each request whole and buffers each answer in its
# own event loop, so a slow client holds a socket, not one of the threads running the app.
SERVE_CONNECTIONS = 1000
SERVE_BUFFER = 128 * 1024 * 1024  # an answer this large is buffered before a thread waits


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=click.IntRange(1, 65535), show_default=True)
@click.option("--threads", default=16, type=click.IntRange(1, 256), show_default=True,
              help="Threads running the app (a slow client does not hold one).")  # fmt: skip
@with_appcontext
def serve(host: str, port: int, threads: int) -> None:
    """Serve the registry with waitress: the production server."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # One index follower per server: searches only read the index (registry/search/follower.py).
    search_follower.start(search_index(app), registry_of(app).engine)
    freeze_startup_objects()
    click.echo(f"serving on http://{host}:{port} with waitress ({threads} threads)")
    serve_forever(
        app, host=host, port=port, threads=threads, connection_limit=SERVE_CONNECTIONS,
        outbuf_high_watermark=SERVE_BUFFER, channel_timeout=60, ident="registry",
    )  # fmt: skip


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_(file: Path) -> None:
    """Copy the database to FILE while the site runs (SQLite's backup API, or pg_dump)."""
    try:
        backup.backup(registry_of().engine, file)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up the database to {file} ({file.stat().st_size // 1024} KiB)")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of a database that holds some.")
@with_appcontext
def restore(file: Path, force: bool) -> None:
    """Load a backup made by `registry backup` (site stopped), then rebuild the search index."""
    engine = registry_of().engine
    try:
        backup.restore(engine, file, force=force)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    schema_migrations.upgrade(engine)  # a backup made by an earlier version
    count = search.rebuild(search_index(), engine, procs=INDEX_PROCS)
    click.echo(f"restored {file}; search index rebuilt ({count} published initiatives)")


@main.group()
def users() -> None:
    """Accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, help="submitter, curator or admin")
@click.option("--organisation", default=None, help="Created when it does not exist yet.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(email: str, role: str, organisation: str | None, password_stdin: bool) -> None:
    """Create an account (without --password-stdin it has no password until one is set)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        with write_session(registry_of().engine) as session:
            user = actions.create_user(
                session,
                actions.SYSTEM,
                email,
                role=role,
                password=password,
                organisation=organisation,
            )
            created = f"created {role} {user.email}"
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(created + (f" in {organisation}" if organisation else ""), err=True)


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def set_password(email: str, password_stdin: bool) -> None:
    """Set the password of an account (one made without, or a forgotten one): read from
    standard input with --password-stdin, else asked for twice. Its sessions end and its API
    tokens are revoked."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        with write_session(registry_of().engine) as session:
            user = actions.set_password(session, actions.SYSTEM, email, password)
            done = f"password set for {user.email}"
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(done, err=True)


@main.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--label", default="command line", show_default=True)
@with_appcontext
def create_token(email: str, label: str) -> None:
    """Print a new API token for the account, alone on stdout (it is shown only once)."""
    try:
        with write_session(registry_of().engine) as session:
            token = actions.create_token(session, actions.SYSTEM, label=label, for_email=email)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(token)


# An import of at least this many records is indexed by building a new index generation in
# several processes and swapping it in (as `registry init` does), not by replaying the log.
BULK_INDEX_FROM = 2_000


class _ImportProgress:
    """Two tqdm bars with rate and ETA: the file read while checking (in bytes), then the rows
    written (the count the check found). Shown on a terminal only."""

    def __init__(self, rows: FileRows):
        self.rows = rows
        self.shown = sys.stderr.isatty()
        self.checking = tqdm(total=rows.size, unit="B", unit_scale=True, desc="checking",
                             file=sys.stderr, disable=not self.shown)  # fmt: skip
        self.writing: tqdm | None = None

    def checked(self, _rows: int) -> None:
        self.checking.update(self.rows.position - self.checking.n)

    def written(self, count: int) -> None:
        if self.writing is None:
            self.checking.close()
            self.writing = tqdm(total=self.rows.count, unit="row", desc="writing",
                                file=sys.stderr, disable=not self.shown)  # fmt: skip
        self.writing.update(count)

    def close(self) -> None:
        self.checking.close()
        if self.writing is not None:
            self.writing.close()


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish the imported initiatives at once.")
@click.option(
    "--replace-pending",
    is_flag=True,
    help="Replace edits waiting for review with the file's rows (kept in the history).",
)
@with_appcontext
def import_(file: Path, publish: bool, replace_pending: bool) -> None:
    """Import initiatives from a CSV or JSON file of any size: all of them, or none if any row
    fails.

    The file is streamed (read once: every row checked and spooled to a temporary file, then
    written in batches), so its size is not limited. Each row is an edit by the registry's
    curators, through the same workflow as the web pages: see docs/architecture.md,
    "Importing"."""
    registry = registry_of()
    options = actions.ImportOptions(
        publish=publish, replace_pending=replace_pending, source=file.name
    )
    started = time.monotonic()
    try:
        rows = FileRows(file)
        progress = _ImportProgress(rows)
        try:
            with write_session(registry.engine) as session:
                summary = actions.import_rows(
                    session, actions.SYSTEM, rows, options, progress.written, progress.checked
                )
        finally:
            progress.close()
    except ImportFailed as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(exc)) from None
    for notice in summary.notices:
        click.echo(f"not merged: {notice}", err=True)
    click.echo(f"imported {file.name}: {summary} ({time.monotonic() - started:.1f} s)")
    changed = len(summary.created) + len(summary.updated)
    try:
        if publish and changed >= BULK_INDEX_FROM:
            _bulk_index(registry.engine)
            return
        # Indexed here rather than by the servers' followers, which would share the backlog.
        with read_session(registry.engine) as session:
            applied = search.catch_up(search_index(), session, timeout=60)
    except search.INDEX_ERRORS as exc:
        applied, reason = None, str(exc)
    else:
        reason = "it is locked by another process"
    if applied is None:
        click.echo(f"the search index was not updated ({reason}): it will catch up", err=True)
    else:
        click.echo(f"search index updated ({applied} changes applied)")


def _bulk_index(engine) -> None:
    """A new index generation built in INDEX_PROCS processes, then swapped in atomically:
    searches use the previous one meanwhile."""
    with read_session(engine) as session:
        total = search.published_count(session)
    started = time.monotonic()
    with tqdm(total=total, unit="record", desc="indexing", file=sys.stderr,
              disable=not sys.stderr.isatty()) as bar:  # fmt: skip
        count = search.rebuild(
            search_index(), engine, procs=INDEX_PROCS, progress=lambda n: bar.update(n - bar.n)
        )
    click.echo(
        f"search index rebuilt in {INDEX_PROCS} processes ({count} published initiatives, "
        f"{time.monotonic() - started:.1f} s)"
    )


@main.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)  # fmt: skip
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")  # fmt: skip
@click.option("--bom", is_flag=True, help="Start a CSV with a UTF-8 byte order mark (Excel).")
@click.option("--filters", "query", default="", metavar="QUERY",
              help="Search filters as a query string, e.g. 'country=FR&stage=design'.")  # fmt: skip
@click.option("--base-url", default="http://localhost/", envvar="REGISTRY_BASE_URL",
              help="The site's address, for each record's `url`.")  # fmt: skip
@with_appcontext
def export(fmt: str, output: Path | None, bom: bool, query: str, base_url: str) -> None:
    """Export the published initiatives (every field, with the licence in JSON)."""
    registry = registry_of()
    try:
        filters = parse_filters(MultiDict(parse_qsl(query)))
        ids = text_query_ids(filters) if filters.q else None
    except BadParameter as exc:
        raise click.ClickException(f"bad filters: {exc}") from None

    def page_url(i) -> str:
        return url_for("browse.initiative_page", initiative_id=i.id, slug=i.slug, _external=True)

    with (
        current_app.test_request_context(base_url=base_url),
        read_session(registry.engine) as session,
    ):
        selection = exporting.select_public(session, filters, ids)
        items = exporting.records(selection, page_url, external_urls, session)
        if fmt == "json":
            meta = exporting.metadata(filters, url_for("browse.home", _external=True))
            chunks = exporting.json_chunks(meta, items)
        else:
            chunks = exporting.csv_chunks(items, bom=bom)
        target = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            for chunk in chunks:
                target.write(chunk)
        finally:
            if output:
                target.close()
    if output:
        click.echo(f"exported to {output}", err=True)


# --- Mail (issue 18) ----------------------------------------------------------------------


@main.group("mail")
def mail_() -> None:
    """The outbox: e-mail waiting to be sent through REGISTRY_SMTP_URL."""


@mail_.command("send")
@click.option("--limit", default=500, show_default=True, help="Send at most this many.")
@with_appcontext
def mail_send(limit: int) -> None:
    """Deliver the messages due now; failures are retried later and recorded."""
    settings = mail.SmtpSettings.from_env()
    registry = registry_of()
    if settings is None:
        with read_session(registry.engine) as session:
            waiting = mail.counts(session).get("waiting", 0)
        raise click.ClickException(
            f"REGISTRY_SMTP_URL is not set: {waiting} messages wait in the outbox"
        )
    report = outbox.deliver_due(registry.engine, settings, limit=limit)
    for line in report.errors:
        click.echo(line, err=True)
    click.echo(f"mail through {settings.describe()}: {report}")


@mail_.command("test")
@click.argument("address")
@with_appcontext
def mail_test(address: str) -> None:
    """Queue a short message to ADDRESS (then `registry mail send`)."""
    with write_session(registry_of().engine) as session:
        actions.queue_test_mail(session, actions.SYSTEM, address)
    click.echo(f"queued a test message to {address}")


@mail_.command("digests")
@click.option("--base-url", default="http://localhost/", envvar="REGISTRY_BASE_URL",
              help="The site's address, for the links in the e-mails.")  # fmt: skip
@click.option("--now", "now_text", default=None, metavar="ISO-TIME", hidden=True,
              help="Act as if it were this time (UTC), for tests.")  # fmt: skip
@with_appcontext
def mail_digests(base_url: str, now_text: str | None) -> None:
    """Queue the saved-search digests that are due (then `registry mail send`)."""
    now = None
    if now_text:
        try:
            now = datetime.fromisoformat(now_text).replace(tzinfo=UTC)
        except ValueError:
            raise click.ClickException(f"--now must be an ISO time, not {now_text!r}") from None
    with current_app.test_request_context(base_url=base_url):
        covered, queued = web_alerts.queue_digests(now)
    click.echo(f"digests: {covered} saved searches covered, {queued} messages queued")
