"""Time the curators' upload page against the same import called directly (what the CLI does).

    python -m bench.import_page [--rows N] [--reps 3]

Without --rows, uses the most rows of bench.transfer's generated CSV that fit in the app's
MAX_CONTENT_LENGTH. Each repetition imports into a fresh SQLite registry; prints the medians
and the page/direct ratio (the page's overhead: multipart parsing, rendering the summary).
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from registry import actions, create_app, schema_migrations
from registry.db import make_engine, write_session
from registry.transfer import importing

from .transfer import write_csv

PASSWORD = "bench password 2026"


def _app(folder: Path, template: Path):
    folder.mkdir()
    shutil.copy(template, folder / "registry.sqlite3")
    return create_app(
        {
            "instance_dir": folder,
            "database_url": f"sqlite:///{folder / 'registry.sqlite3'}",
            "secret_key": "bench",
        }
    )


def _signed_in_curator(app):
    with write_session(app.extensions["registry"].engine) as s:
        actions.create_user(
            s, actions.SYSTEM, "curator@bench.example", role="curator", password=PASSWORD
        )
    client = app.test_client()
    token = _token(client.get("/sign-in").get_data(as_text=True))
    client.post(
        "/sign-in",
        data={"email": "curator@bench.example", "password": PASSWORD, "csrf_token": token},
    )
    return client


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _fitting_rows(folder: Path, limit: int) -> int:
    """The most generated rows whose file (plus the form's few hundred bytes) fits in `limit`."""
    low, high = 1, 20_000
    while low < high:
        middle = (low + high + 1) // 2
        write_csv(folder / "probe.csv", middle)
        if (folder / "probe.csv").stat().st_size + 1024 <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-page-"))
    template = folder / "template.sqlite3"
    engine = make_engine(f"sqlite:///{template}")
    schema_migrations.upgrade(engine)
    with engine.connect() as conn:  # everything in the main file, so a copy holds it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    limit = create_app({"instance_dir": folder, "secret_key": "bench"}).config["MAX_CONTENT_LENGTH"]
    rows = args.rows or _fitting_rows(folder, limit)
    source = folder / "bench.csv"
    write_csv(source, rows)
    data = source.read_bytes()
    print(
        f"{rows} rows, {len(data) / 1_048_576:.2f} MB "
        f"(MAX_CONTENT_LENGTH {limit / 1_048_576:.2f} MB)"
    )
    page, direct = [], []
    for n in range(args.reps):
        app = _app(folder / f"page-{n}", template)
        client = _signed_in_curator(app)
        token = _token(client.get("/curate/import").get_data(as_text=True))
        boundary, body = encode_multipart(
            {
                "csrf_token": token,
                "publish": "y",
                "file": FileStorage(io.BytesIO(data), "bench.csv"),
            }
        )
        start = time.perf_counter()
        response = client.post(
            "/curate/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )
        page.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        app = _app(folder / f"direct-{n}", template)
        start = time.perf_counter()
        with write_session(app.extensions["registry"].engine) as s:
            actions.import_rows(
                s, actions.SYSTEM, importing.read_bytes(data, "csv"),
                actions.ImportOptions(publish=True),
            )  # fmt: skip
        direct.append(time.perf_counter() - start)
    page_median, direct_median = statistics.median(page), statistics.median(direct)
    print(f"upload page (POST, publish)  median {page_median:6.2f} s  {page}")
    print(f"direct import action           median {direct_median:6.2f} s  {direct}")
    print(f"ratio page/direct            {page_median / direct_median:6.2f}")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
