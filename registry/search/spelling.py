"""The "did you mean" word list: the words of the records published now, and nothing else.

Each index generation keeps `spelling.sqlite3` beside its documents: how many published
records contain each word (`words`), and the words each record was indexed with (`records`,
compressed). When a record changes, is withdrawn or deleted, its old words are counted out
before its new ones (if any) are counted in, and a word no record contains any more leaves the
list: a withdrawn record's rare word can never be suggested (issue 20). The file is written in
the same catch-up as the index, under the index's write lock, and rebuilt with each generation.

Words are stored accent-folded, as queries are compared with them.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from whoosh.spelling import ListCorrector
from whoosh.support.charset import accent_map

FILE = "spelling.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, records INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY, words BLOB NOT NULL);
"""


class Spelling:
    """A generation's known words, and the closest known word to an unknown one.

    Corrections keep a word's first letter (`prefix=1`), so each is looked for among the words
    of that letter only (a twentieth of a real vocabulary, built on first use), and remembered:
    scanning a catalogue's 40,000 words took most of a rare word's search.
    """

    MEMO = 10_000  # corrections remembered per generation

    def __init__(self, words: frozenset[str]):
        self.words = words
        self._letters: dict[str, ListCorrector] = {}
        self._memo: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def closest(self, word: str) -> str | None:
        """The known word within two edits of `word` with its first letter, or None."""
        with self._lock:
            if word in self._memo:
                return self._memo[word]
            corrector = self._letters.get(word[:1])
            if corrector is None:
                # "" first: Whoosh's ListCorrector never suggests the first word of its list
                # (its skipper steps past index 0), and no query word is within reach of "".
                same = sorted(w for w in self.words if w[:1] == word[:1])
                corrector = self._letters[word[:1]] = ListCorrector(["", *same])
            choices = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
            if len(self._memo) >= self.MEMO:
                self._memo.clear()
            self._memo[word] = found = choices[0] if choices else None
            return found


def fold(words: Iterable[str]) -> set[str]:
    return {w.translate(accent_map) for w in words}


def _read_only(folder: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{(folder / FILE).as_uri()}?mode=ro", uri=True, timeout=30)


@contextmanager
def _connect(folder: Path, *, writing: bool = False) -> Iterator[sqlite3.Connection]:
    if not writing:  # a read opens the list read-only: searching never writes a file
        with closing(_read_only(folder)) as conn:
            yield conn
        return
    with closing(sqlite3.connect(folder / FILE, timeout=30)) as conn:
        conn.executescript(_SCHEMA)
        with conn:  # one transaction: committed on success, rolled back on error
            yield conn
            if writing:  # tells readers the list changed (see `version`)
                (number,) = conn.execute("PRAGMA user_version").fetchone()
                conn.execute(f"PRAGMA user_version = {int(number) + 1}")


def _pack(words: set[str]) -> bytes:
    return zlib.compress("\n".join(sorted(words)).encode("utf-8"))


def _unpack(blob: bytes) -> set[str]:
    return set(zlib.decompress(blob).decode("utf-8").split("\n")) - {""}


@contextmanager
def building(folder: Path) -> Iterator[Callable[[int, set[str]], None]]:
    """A generation's list made from scratch: call the function given with each published
    record's id and words; the list is written when the block ends without error."""
    counts: Counter[str] = Counter()
    batch: list[tuple[int, bytes]] = []
    with _connect(folder, writing=True) as conn:
        conn.execute("DELETE FROM words")
        conn.execute("DELETE FROM records")

        def add(record_id: int, words: set[str]) -> None:
            folded = fold(words)
            counts.update(folded)
            batch.append((record_id, _pack(folded)))
            if len(batch) >= 1000:
                conn.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)", batch)
                batch.clear()

        yield add
        conn.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)", batch)
        conn.executemany("INSERT INTO words VALUES (?, ?)", counts.items())


def update(folder: Path, changes: dict[int, set[str] | None]) -> None:
    """Records' words as they are now: a set for a published record, None for one that is not
    (withdrawn, deleted, back to draft). Applying the same changes twice is harmless."""
    if not changes:
        return
    delta: Counter[str] = Counter()
    with _connect(folder, writing=True) as conn:
        for record_id, words in changes.items():
            row = conn.execute("SELECT words FROM records WHERE id = ?", (record_id,)).fetchone()
            if row is not None:
                delta.subtract(_unpack(row[0]))
            if words is None:
                conn.execute("DELETE FROM records WHERE id = ?", (record_id,))
            else:
                folded = fold(words)
                delta.update(folded)
                conn.execute(
                    "INSERT OR REPLACE INTO records VALUES (?, ?)", (record_id, _pack(folded))
                )
        changed = [(word, n) for word, n in delta.items() if n]
        conn.executemany(
            "INSERT INTO words VALUES (?, ?)"
            " ON CONFLICT(word) DO UPDATE SET records = records + excluded.records",
            changed,
        )
        conn.execute("DELETE FROM words WHERE records <= 0")


def read(folder: Path) -> frozenset[str]:
    """The words of the records published in this generation (empty without a list)."""
    if not (folder / FILE).exists():
        return frozenset()
    with _connect(folder) as conn:
        return frozenset(word for (word,) in conn.execute("SELECT word FROM words"))


def records(folder: Path) -> set[int]:
    """The ids of the records whose words the list holds."""
    if not (folder / FILE).exists():
        return set()
    with _connect(folder) as conn:
        return {record_id for (record_id,) in conn.execute("SELECT id FROM records")}


def version(folder: Path) -> int | None:
    """Grows with every write of the list (to know when to read it again); None without one."""
    if not (folder / FILE).exists():
        return None
    with closing(_read_only(folder)) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
