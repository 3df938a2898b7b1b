"""Keeping the index in step with the database's change log: catch-up, rebuild, check.

The index contains published initiatives only, each at the version the database had when the
change was applied. Every change is applied by re-reading the initiative's current row, so
applying a change twice is harmless and a crash between a DB commit and the index write loses
nothing: the next catch-up finds the sequence number still ahead and repairs it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session
from whoosh.index import LockError

from .. import initiatives
from ..db import read_session
from ..models import Initiative
from . import spelling
from .schema import document, spelling_words
from .store import FORMAT, IndexBusy, SearchIndex, write_seq

BATCH = 500
# Each segment as separate files, every one read through its own memory map
# (store.MappedStorage); a compound file is read through Whoosh's sub-file layer in Python.
SEPARATE_FILES = {"compound": False}


def _apply(writer, session: Session, ids: Iterable[int], words: dict[int, set[str] | None]):
    """Make the index hold exactly the published ones of `ids`, as they are now; record in
    `words` each one's words now (None when it is not published: its words leave the list)."""
    ids = sorted(set(ids))
    published = {
        i.id: i for i in session.scalars(initiatives.public_query().where(Initiative.id.in_(ids)))
    }
    for initiative_id in ids:
        row = published.get(initiative_id)
        if row is None:
            writer.delete_by_term("id", str(initiative_id))
            words[initiative_id] = None
        else:
            writer.update_document(**document(row))
            words[initiative_id] = spelling_words(row)


def _catch_up_generation(
    index: SearchIndex, name: str, session: Session, budget: float | None = None
) -> int:
    """Apply pending changes to generation `name`; the caller holds the write lock.

    With a `budget` (seconds), stops after the batch that spends it and commits what was
    applied, so a long backlog is worked off over several calls and none of them runs for long.
    """
    path = index.generation_dir(name)
    seq = index.applied_seq(name)
    target = initiatives.latest_change(session)
    if target <= seq:
        index.mark_filled(name)
        return 0
    deadline = None if budget is None else time.monotonic() + budget
    ix = index.open_generation(name)
    writer = ix.writer(timeout=5.0, **SEPARATE_FILES)
    applied = 0
    words: dict[int, set[str] | None] = {}
    pending: set[int] = set()  # initiatives written since the last commit
    try:
        while seq < target:
            changes = initiatives.changes_since(session, seq, limit=BATCH)
            changes = [c for c in changes if c.seq <= target]
            if not changes:
                break
            ids = {c.initiative_id for c in changes}
            if ids & pending:
                # Whoosh replaces committed documents only: written twice in one commit, a
                # record would be in the index twice (or stay after it was unpublished).
                _commit(writer, path, seq, words)
                writer, pending, words = ix.writer(timeout=5.0, **SEPARATE_FILES), set(), {}
            _apply(writer, session, ids, words)
            pending |= ids
            applied += len(changes)
            seq = changes[-1].seq
            if deadline is not None and time.monotonic() >= deadline:
                break
    except BaseException:
        writer.cancel()
        raise
    _commit(writer, path, seq, words)
    ix.close()
    if seq >= target:
        index.mark_filled(name)
    return applied


def _commit(writer, path: Path, seq: int, words: dict[int, set[str] | None]) -> None:
    """Commit `writer` and record what it holds: the records' words, the last sequence applied.

    A crash between the steps is repaired by the next catch-up: it applies the same changes
    again, which changes neither the index nor the word list a second time."""
    writer.commit()  # merges small segments, so commits do not pile them up
    spelling.update(path, words)
    write_seq(path, seq)


def catch_up(
    index: SearchIndex, session: Session, *, timeout: float = 0.5, budget: float | None = None
) -> int | None:
    """Apply every change-log entry the index has not seen (or what `budget` seconds allow).

    Returns how many changes were applied, or None when another process holds the write lock
    for longer than `timeout` (it is applying them; serve from the last committed index).
    An index that is missing is started empty and filled from the whole change log.
    """
    try:
        with index.write_lock(timeout):
            # Looked for under the lock: the folder may have gone since anyone last looked.
            name = index.current_generation() or index.start_empty()
            return _catch_up_generation(index, name, session, budget)
    except (IndexBusy, LockError):
        return None


def rebuild(index: SearchIndex, engine: Engine, *, procs: int = 1, progress=None) -> int:
    """Build a complete new generation beside the live one and swap it in atomically.

    Searches keep using the old generation meanwhile. Returns the number of documents.
    `procs` > 1 analyses in that many processes (worth it for tens of thousands of records).
    """
    index.folder.mkdir(parents=True, exist_ok=True)
    name = index.new_generation()
    path = index.generation_dir(name)
    ix = index.open_generation(name)
    count = 0
    with read_session(engine) as session, spelling.building(path) as add_words:
        seq = initiatives.latest_change(session)
        writer = (
            ix.writer(procs=procs, multisegment=True, limitmb=256, **SEPARATE_FILES)
            if procs > 1
            else ix.writer(limitmb=256, **SEPARATE_FILES)
        )
        try:
            last_id = 0
            while True:
                rows = list(
                    session.scalars(
                        initiatives.public_query()
                        .where(Initiative.id > last_id)
                        .order_by(Initiative.id)
                        .limit(BATCH)
                    )
                )
                if not rows:
                    break
                for row in rows:
                    writer.add_document(**document(row))
                    add_words(row.id, spelling_words(row))
                count += len(rows)
                last_id = rows[-1].id
                session.expunge_all()
                if progress:
                    progress(count)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=True)
    write_seq(path, seq)
    ix.close()
    with index.write_lock(timeout=120), read_session(engine) as session:
        _catch_up_generation(index, name, session)
        index.swap(name)
    return count


def published_count(session: Session) -> int:
    """How many records a rebuild indexes (for a progress bar)."""
    return (
        session.scalar(select(func.count()).where(Initiative.status == initiatives.PUBLIC_STATUS))
        or 0
    )


bulk_index = rebuild  # Loading many records at once is a rebuild: one big commit, then swap.


@dataclass
class Drift:
    # The index includes its "did you mean" word list (spelling.py): a record missing from
    # it, or listed there while unpublished, is drift too.
    missing: list[int] = field(default_factory=list)  # published, not in the index
    stale: list[int] = field(default_factory=list)  # in the index at another version
    unpublished: list[int] = field(default_factory=list)  # in the index, not published
    duplicated: list[int] = field(default_factory=list)  # in the index more than once
    outdated: bool = False  # made by an earlier version (FORMAT): rebuild it

    @property
    def clean(self) -> bool:
        return not (
            self.missing or self.stale or self.unpublished or self.duplicated or self.outdated
        )


def check(index: SearchIndex, session: Session) -> Drift:
    """Compare every published initiative's version with the index's copy."""
    database = dict(
        session.execute(
            select(Initiative.id, Initiative.version).where(
                Initiative.status == initiatives.PUBLIC_STATUS
            )
        ).all()
    )
    indexed: dict[int, set[int]] = {}
    copies: Counter[int] = Counter()
    listed: set[int] = set()  # records whose words are in the "did you mean" list
    if index.exists():
        with index.reading() as (searcher, _columns):
            for stored in searcher.all_stored_fields():
                initiative_id = int(stored["id"])
                indexed.setdefault(initiative_id, set()).add(stored["version"])
                copies[initiative_id] += 1
        listed = spelling.records(index.generation_dir(index.current_generation()))
    else:
        listed = set(database)
    return Drift(
        missing=sorted((set(database) - set(indexed)) | (set(database) - listed)),
        stale=sorted(i for i in database.keys() & indexed.keys() if indexed[i] != {database[i]}),
        unpublished=sorted((set(indexed) | listed) - set(database)),
        duplicated=sorted(i for i, n in copies.items() if n > 1),
        outdated=index.format() not in (None, FORMAT),
    )
