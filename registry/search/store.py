"""The index on disk and this process's handle on it.

Layout of the index folder: one subfolder per generation (`gen-<ns>`), a `CURRENT` file naming
the live generation (replaced atomically by a rebuild), and in each generation:
- `applied_seq`, the last change-log sequence it contains;
- `spelling.sqlite3`, the words of the records it holds ("did you mean", spelling.py);
- `format`, the FORMAT its documents were made in;
- `filling`, while a generation made empty (the index was missing) has not yet replayed the
  whole change log.

Beside the folder, `<folder>.lock` is an `flock` held by whoever writes, so every process
shares the folder safely. It is outside the folder so that it survives the folder's removal:
a lock inside was replaced with the folder, and a process still holding the old one wrote
into the new index alongside the process holding the new one.

A process keeps one searcher per generation and refreshes it when another process commits.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.searching import Searcher

from . import columns, spelling
from .schema import make_schema
from .spelling import Spelling


class MappedStorage(FileStorage):
    """Each file read through its own memory map, with the map's C `read` and `seek`.

    Whoosh's own reading maps a segment's compound file and then copies each part of it whole
    into the process's memory (`BufferFile` wraps it in a BytesIO), postings included: 1.2 GB
    resident per serving process at 100,000 records, 0.2 GB this way. Segments are written as
    separate files (indexing.SEPARATE_FILES); a compound one of an earlier version is read
    through Whoosh's sub-file layer.
    """

    def open_file(self, name: str, **kwargs) -> StructFile:
        with open(os.path.join(self.folder, name), "rb") as file:
            if not os.fstat(file.fileno()).st_size:  # an empty file cannot be mapped
                return BufferFile(b"", name=name, **kwargs)
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        return StructFile(mapped, name=name, **kwargs)


CURRENT = "CURRENT"
SEQ_FILE = "applied_seq"
FILLING = "filling"
FORMAT_FILE = "format"
# What a generation's documents look like (schema, analysis). Raise it when a change needs the
# index rebuilt; `registry index check` then reports the live one as outdated and
# `registry init` rebuilds it. 1: generations made before the file existed. 3: BM25F field
# lengths, joined compounds, word pairs, participants. 4: completeness (case records).
FORMAT = 4


class IndexBusy(Exception):
    """Another process holds the write lock for longer than the caller would wait."""


class SearchUnavailable(Exception):
    """The index cannot be read (missing, unreadable, or being rebuilt): search is down for a
    moment while the database, and so every page that does not search, keeps working."""


# What a damaged, missing or read-only index folder raises while it is opened or read.
INDEX_ERRORS = (OSError, whoosh_index.IndexError)


class SearchIndex:
    """A process's handle on one index folder: open lazily, share one searcher, refresh it."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.lock_path = self.folder.with_name(f"{self.folder.name}.lock")
        self._mutex = threading.RLock()
        self._generation: str | None = None
        self._ix = None
        self._searcher: Searcher | None = None
        self._columns: columns.Columns | None = None
        self._spelling: tuple[tuple[str, int | None], Spelling] | None = None
        # The process's follower (follower.py), when one keeps this index up: then searches
        # only read it.
        self.follower = None

    # --- generations ---------------------------------------------------------------------

    def current_generation(self) -> str | None:
        try:
            name = (self.folder / CURRENT).read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def generation_dir(self, name: str) -> Path:
        return self.folder / name

    def exists(self) -> bool:
        return self.current_generation() is not None

    def new_generation(self) -> str:
        """An empty index in a new generation folder (not live until `swap`)."""
        name = f"gen-{time.time_ns()}"
        path = self.generation_dir(name)
        path.mkdir(parents=True)
        whoosh_index.create_in(str(path), make_schema())
        write_seq(path, 0)
        (path / FORMAT_FILE).write_text(str(FORMAT))
        return name

    def format(self) -> int | None:
        """The live generation's FORMAT (None without an index)."""
        name = self.current_generation()
        if name is None:
            return None
        try:
            return int((self.generation_dir(name) / FORMAT_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return 1

    def start_empty(self) -> str:
        """Make a new empty generation live, to be filled from the whole change log.

        Call with the write lock held."""
        name = self.new_generation()
        (self.generation_dir(name) / FILLING).touch()
        self.swap(name)
        return name

    def filling(self, name: str) -> bool:
        """Whether generation `name` is still replaying the change log from the start: its
        results would be a part of the catalogue shown as if it were all of it."""
        return (self.generation_dir(name) / FILLING).exists()

    def mark_filled(self, name: str) -> None:
        (self.generation_dir(name) / FILLING).unlink(missing_ok=True)

    def swap(self, name: str) -> None:
        """Make generation `name` live (atomic rename); remove all but the previous one.

        Call with the write lock held. Searchers still open on the old generation keep
        working: their files stay until the next swap removes them.
        """
        previous = self.current_generation()
        tmp = self.folder / f"{CURRENT}.tmp-{os.getpid()}"
        tmp.write_text(name)
        os.replace(tmp, self.folder / CURRENT)
        for child in self.folder.iterdir():
            if (
                child.is_dir()
                and child.name.startswith("gen-")
                and child.name
                not in (
                    name,
                    previous,
                )
            ):
                shutil.rmtree(child, ignore_errors=True)

    def open_generation(self, name: str):
        return MappedStorage(str(self.generation_dir(name))).open_index()

    def applied_seq(self, name: str | None = None) -> int:
        name = name or self.current_generation()
        return read_seq(self.generation_dir(name)) if name else 0

    # --- locking -------------------------------------------------------------------------

    @contextmanager
    def write_lock(self, timeout: float) -> Iterator[None]:
        """Hold the folder's write lock (shared by all processes) or raise IndexBusy."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy(str(self.folder)) from None
                    time.sleep(0.02)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # --- reading -------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[tuple[Searcher, columns.Columns]]:
        """The process's searcher on the live generation, refreshed, with its arrays.

        Serialised within the process: a Whoosh searcher is not meant for concurrent use.
        Raises SearchUnavailable when the index cannot be opened or read.
        """
        with self._mutex:
            generation = self.current_generation()
            if generation is None:
                raise SearchUnavailable(f"no search index in {self.folder}")
            try:
                yield self._refreshed(generation)
            except INDEX_ERRORS as exc:
                self._close()
                raise SearchUnavailable(f"the search index in {self.folder}: {exc}") from exc

    def _refreshed(self, generation: str) -> tuple[Searcher, columns.Columns]:
        if generation != self._generation or self._searcher is None:
            self._close()
            self._ix = self.open_generation(generation)
            self._searcher = self._ix.searcher()
            self._generation = generation
            self._columns = None
        elif not self._searcher.up_to_date():
            # Not refresh(): it reuses a segment's reader even when only its deletions
            # changed, so an unpublished record would stay visible.
            self._searcher.close()
            self._searcher = self._columns = None
            self._searcher = self._ix.searcher()
        if self._columns is None:
            scope = str(self.generation_dir(generation))
            self._columns = columns.build(self._searcher.reader(), scope)
        return self._searcher, self._columns

    def spelling(self) -> Spelling:
        """The live generation's word list, read again when a catch-up has changed it."""
        with self._mutex:
            generation = self.current_generation()
            if generation is None:
                return Spelling(frozenset())
            folder = self.generation_dir(generation)
            key = (generation, spelling.version(folder))
            if self._spelling is None or self._spelling[0] != key:
                self._spelling = key, Spelling(spelling.read(folder))
            return self._spelling[1]

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = self._ix = self._columns = None

    def close(self) -> None:
        with self._mutex:
            self._close()


def read_seq(path: Path) -> int:
    try:
        return int((path / SEQ_FILE).read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def write_seq(path: Path, seq: int) -> None:
    tmp = path / f"{SEQ_FILE}.tmp-{os.getpid()}"
    tmp.write_text(str(seq))
    os.replace(tmp, path / SEQ_FILE)
