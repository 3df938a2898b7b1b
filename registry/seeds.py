"""Loading the illustrative seed records of `seeds/` (as an import through the action layer)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from . import actions, initiatives
from .db import write_session
from .media import reading
from .models import InitiativeKey, InitiativeLink, InitiativeTranslation
from .paths import SEEDS
from .schemas import ValidationFailed, validate_initiative
from .survey import SeedError, read_json, survey_reference
from .transfer.importing import Row

SEED_FILE = "initiatives.json"


def load_records(path: Path) -> list[dict[str, Any]]:
    """The seed records, each validated; SeedError names the first failing record."""
    data = read_json(path)
    records = data.get("initiatives") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise SeedError(f"{path}: expected an object with a list under 'initiatives'")
    for n, record in enumerate(records, start=1):
        name = record.get("slug") if isinstance(record, dict) else None
        try:
            validate_initiative(record)
        except ValidationFailed as exc:
            raise SeedError(f"{path}: record {n} ({name or 'no slug'}): {exc}") from None
        if not name:
            raise SeedError(f"{path}: record {n}: a seed record needs a slug")
    return records


def seed(engine: Engine, folder: Path = SEEDS) -> tuple[int, int]:
    """Publish, as the registry's own illustrative records, every seed record whose slug is
    not among them yet (an import by the command line, through the action layer).

    Idempotent: a second run adds nothing, and never overwrites a curator's later edit of a
    seed record. Returns (added, already present).
    """
    records = load_records(folder / SEED_FILE)
    survey_reference(folder)  # a malformed reference file fails the seed, not a page later
    options = actions.ImportOptions(publish=True, source=f"seeds/{SEED_FILE}", illustrative=True)
    with write_session(engine) as session:
        present = initiatives.claimed_slugs(session, initiatives.REGISTRY_SCOPE)
        rows = [
            Row(f"{SEED_FILE} record {n}", record)
            for n, record in enumerate(records, start=1)
            if record["slug"] not in present
        ]
        if rows:
            actions.import_rows(session, actions.SYSTEM, rows, options)
        add_links_and_translations(session, read_json(folder / SEED_FILE))
    return len(rows), len(records) - len(rows)


# --- Case records (issue 16): links between seed records and translations of them ----------


def add_links_and_translations(session: Session, data: dict) -> None:
    """The seed file's `links` ({from, to, kind}: slugs), `translations` ({slug, language,
    translator, title, summary, …}) and `media` (below) that are not there yet, through the
    actions. A seed that names a missing record fails the seed, as a malformed record does."""
    slugs = dict(
        session.execute(
            select(InitiativeKey.value, InitiativeKey.initiative_id).where(
                InitiativeKey.scope == initiatives.REGISTRY_SCOPE, InitiativeKey.kind == "slug"
            )
        ).all()
    )

    def record(slug: Any) -> int:
        if slug not in slugs:
            raise SeedError(f"{SEED_FILE}: no seed record with the slug {slug!r}")
        return slugs[slug]

    for link in data.get("links") or []:
        source, target = record(link.get("from")), record(link.get("to"))
        taken = session.scalar(
            select(InitiativeLink.id).where(
                InitiativeLink.from_id == source, InitiativeLink.to_id == target,
                InitiativeLink.kind == link.get("kind"),
            )
        )  # fmt: skip
        if taken is None:
            actions.link_records(session, actions.SYSTEM, source, target, link.get("kind"))
    for translation in data.get("translations") or []:
        texts = {k: v for k, v in translation.items() if k not in ("slug", "language")}
        initiative_id = record(translation.get("slug"))
        if session.get(InitiativeTranslation, (initiative_id, translation.get("language"))):
            continue
        actions.translate_record(
            session, actions.SYSTEM, initiative_id, translation.get("language"), texts
        )
    for item in data.get("media") or []:
        _add_media(session, record(item.get("slug")), item)


# --- Illustrative media of fictional seed records (issue 16) ---------------------------------
# The seed file's `media`: for a fictional record, an image drawn here from the figures the
# record states (`chart`: a title and labelled bars), never a photograph, and a one-page PDF
# (`lines` of text) standing for its report; each says it is an illustration. They go through
# `add_media`, checked and re-encoded like any upload.

MEDIA_TEXTS = ("alt", "caption", "credit", "licence", "title")


def _add_media(session: Session, initiative_id: int, item: dict) -> None:
    kind = item.get("kind")
    label = item.get("alt") if kind == "image" else item.get("title")
    present = reading.every(session, initiatives.lookup(session, initiative_id))
    if any(m.kind == kind and (m.alt if kind == "image" else m.title) == label for m in present):
        return
    if kind == "image":
        data = chart_png(item.get("chart") or {})
    else:
        data = report_pdf(str(item.get("title") or ""), item.get("lines") or [])
    texts = {k: item[k] for k in MEDIA_TEXTS if k in item}
    actions.add_media(session, actions.SYSTEM, initiative_id, kind, data, texts)


def chart_png(chart: dict, size: tuple[int, int] = (1200, 675)) -> bytes:
    """A bar chart of `chart["bars"]` ([label, value, shown as]) under `chart["title"]`, with
    a band saying it is an illustration of fictional figures."""
    width, height = size
    picture = Image.new("RGB", size, "#f6f4ef")
    pen = ImageDraw.Draw(picture)
    big, small = ImageFont.load_default(size=44), ImageFont.load_default(size=30)
    pen.rectangle((0, 0, width, 84), fill="#1f4e5f")
    pen.text((40, 20), chart.get("band", "Illustration - fictional figures"), font=small,
             fill="white")  # fmt: skip
    pen.text((40, 120), str(chart.get("title", "")), font=big, fill="#1b1b1b")
    bars = chart.get("bars") or []
    longest = max((abs(float(b[1])) for b in bars), default=1) or 1
    top, room = 230, (height - 280) // max(len(bars), 1)
    colours = ("#c0504d", "#7f8c8d", "#2e7d32", "#5b6abf")
    for n, (label, value, shown) in enumerate(bars):
        y = top + n * room
        pen.text((40, y), str(label), font=small, fill="#1b1b1b")
        length = int((width - 360) * abs(float(value)) / longest)
        pen.rectangle((40, y + 44, 40 + length, y + 44 + room // 2), fill=colours[n % 4])
        pen.text((60 + length, y + 44), str(shown), font=big, fill="#1b1b1b")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _pdf_text(text: str) -> str:
    plain = text.encode("latin-1", "replace").decode("latin-1")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def report_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF: the title, then each line (Helvetica, written by hand: a few objects)."""
    shown = [f"BT /F1 20 Tf 56 780 Td ({_pdf_text(title)}) Tj ET"]
    shown += [f"BT /F1 12 Tf 56 {740 - 18 * n} Td ({_pdf_text(line)}) Tj ET"
              for n, line in enumerate(lines)]  # fmt: skip
    stream = "\n".join(shown).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title (" + _pdf_text(title).encode("latin-1") + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
