"""Uploads through the record's edit page: every bad file or missing text is refused with a
clear message on its field, and nothing is stored (no media row, no bytes, no revision); a good
photograph is stored re-encoded, upright and without its metadata (read back from the store)."""

from __future__ import annotations

import html
import io
import re

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from registry import actions
from registry.db import read_session, write_session
from registry.media import uploads
from registry.models import Media, MediaFile, Revision

from . import media_files as files
from .conftest import csrf_from, valid_record

IMAGE_TEXTS = {"alt": "Residents and officers on a night walk", "credit": "Ville de Lyon",
               "licence": "cc_by", "caption": ""}  # fmt: skip


@pytest.fixture
def draft(app, users, make_owned) -> int:
    return make_owned(users["submitter"], title="Night walks in Lyon")


@pytest.fixture
def owner(sign_in, users):
    return sign_in("sub@lyon.example")


def stored(app) -> tuple[int, int, int]:
    """(media rows, stored files, revisions): what a refused upload must leave unchanged."""
    with read_session(app.extensions["registry"].engine) as s:
        return tuple(
            s.scalar(select(func.count()).select_from(table))
            for table in (Media, MediaFile, Revision)
        )


def upload(client, initiative_id: int, kind: str, data: bytes, name: str, mimetype: str,
           **texts):  # fmt: skip
    page = client.get(f"/my/initiatives/{initiative_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    fields = {"csrf_token": csrf_from(page), "version": version, **texts}
    return client.post(
        f"/my/initiatives/{initiative_id}/media?kind={kind}",
        **multipart(fields, data, name, mimetype),
    )


def multipart(fields: dict, data: bytes, name: str, mimetype: str) -> dict:
    """A multipart body built in memory (the test client would spool a large one to a
    temporary file it never closes)."""
    values = MultiDict({**fields, "file": FileStorage(io.BytesIO(data), name, "file", mimetype)})
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f'multipart/form-data; boundary="{boundary}"'}


def field_error(response, prefix: str, field: str) -> str:
    match = re.search(rf'id="e-{prefix}-{field}">(.*?)</span>', response.get_data(as_text=True),
                      re.S)  # fmt: skip
    assert match, f"no error shown on {prefix}-{field}"
    return html.unescape(match.group(1))


REFUSED_IMAGES = [
    pytest.param(
        files.gif(), "photo.jpg", "image/jpeg", "not a JPEG, PNG or WebP image", id="gif-named-jpg"
    ),
    pytest.param(
        files.HTML_AS_PDF,
        "photo.png",
        "image/png",
        "not a JPEG, PNG or WebP image",
        id="html-named-png",
    ),
    pytest.param(
        files.bomb_png(7000),
        "bomb.png",
        "image/png",
        "7000 × 7000 pixels",
        id="bomb-over-the-pixel-limit",
    ),
    pytest.param(
        files.bomb_png(20000), "bomb.png", "image/png", "too many pixels", id="bomb-pillow-refuses"
    ),
    pytest.param(
        files.noise_png(10.5),
        "big.png",
        "image/png",
        "at most 10 MB; this one is 11",
        id="over-10-MB",
    ),
    pytest.param(
        files.image()[:2000], "cut.jpg", "image/jpeg", "damaged or incomplete", id="truncated-jpeg"
    ),
]


@pytest.mark.parametrize(("data", "name", "mimetype", "expected"), REFUSED_IMAGES)
def test_a_bad_image_is_refused_on_its_field_and_nothing_is_stored(
    app, owner, draft, data, name, mimetype, expected
):
    before = stored(app)
    response = upload(owner, draft, "image", data, name, mimetype, **IMAGE_TEXTS)
    assert response.status_code == 422
    assert expected in field_error(response, "image", "file")
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and "nothing was saved" in page
    assert 'aria-describedby="e-image-file h-image-file"' in page
    assert IMAGE_TEXTS["alt"] in page  # what was typed is kept
    assert stored(app) == before


REFUSED_DOCUMENTS = [
    pytest.param(
        files.FAKE_PDF,
        "report.pdf",
        "application/pdf",
        "damaged or not really a PDF",
        id="pdf-header-then-garbage",
    ),
    pytest.param(
        files.HTML_AS_PDF,
        "report.pdf",
        "application/pdf",
        "not a PDF document",
        id="html-named-pdf",
    ),
    pytest.param(
        files.image(), "report.pdf", "application/pdf", "not a PDF document", id="jpeg-named-pdf"
    ),
    pytest.param(b"", "report.pdf", "application/pdf", "choose a file", id="empty"),
]


@pytest.mark.parametrize(("data", "name", "mimetype", "expected"), REFUSED_DOCUMENTS)
def test_a_bad_document_is_refused_on_its_field_and_nothing_is_stored(
    app, owner, draft, data, name, mimetype, expected
):
    before = stored(app)
    response = upload(owner, draft, "document", data, name, mimetype, title="Annual report")
    assert response.status_code == 422
    assert expected in field_error(response, "document", "file")
    assert stored(app) == before


def test_a_document_over_the_upload_limit_is_refused_before_it_is_read(app, owner, draft):
    before = stored(app)
    big = files.pdf(attachment=21 * 1024 * 1024)
    response = upload(owner, draft, "document", big, "report.pdf", "application/pdf",
                      title="Annual report")  # fmt: skip
    assert response.status_code == 413
    assert "larger than 20 MB" in field_error(response, "document", "file")
    assert stored(app) == before


def test_missing_texts_are_refused_with_the_file_checked_too(app, owner, draft):
    before = stored(app)
    response = upload(owner, draft, "image", files.gif(), "photo.jpg", "image/jpeg",
                      alt="  ", credit="", licence="")  # fmt: skip
    assert response.status_code == 422
    assert "alt text" in field_error(response, "image", "alt")
    assert "who made the image" in field_error(response, "image", "credit")
    assert "choose a licence" in field_error(response, "image", "licence")
    assert "not a JPEG" in field_error(response, "image", "file")  # every problem at once
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    missing_title = upload(owner, draft, "document", files.pdf(), "r.pdf", "application/pdf")
    assert "give the document a title" in field_error(missing_title, "document", "title")
    assert stored(app) == before


def test_errors_are_in_the_readers_language(app, owner, draft):
    owner.set_cookie("lang", "fr")
    response = upload(owner, draft, "image", files.gif(), "photo.jpg", "image/jpeg", alt="")
    assert "n'est pas une image JPEG, PNG ou WebP" in field_error(response, "image", "file")


def test_a_photo_is_stored_upright_without_gps_or_any_metadata(app, owner, draft):
    original = files.photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    response = upload(owner, draft, "image", original, "IMG_0001.jpg", "image/jpeg",
                      **IMAGE_TEXTS)  # fmt: skip
    assert response.status_code == 302
    with read_session(app.extensions["registry"].engine) as s:
        media = s.scalars(select(Media)).one()
        media_id, filename = media.id, media.filename
        kept = {f.variant: (f.data, f.width, f.height) for f in s.scalars(select(MediaFile))}
    assert filename == "residents-and-officers-on-a-night-walk.jpg"  # not IMG_0001
    for variant in ("file", "thumbnail"):
        served = owner.get(f"/initiatives/{draft}/media/{media_id}" +
                           ("/thumbnail" if variant == "thumbnail" else ""))  # fmt: skip
        assert served.data == kept[variant][0]
        back = Image.open(io.BytesIO(served.data))
        assert back.format == "JPEG"
        assert not back.getexif()  # no EXIF at all: no GPS, camera, author or orientation
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(back.info)
        assert b"secret-place" not in served.data and b"Phonemaker" not in served.data
        assert back.height > back.width  # turned upright (orientation 6: rotated 90°)
        assert back.getpixel((back.width - 2, 1))[2] > 100  # the navy corner is now top right
    assert kept["thumbnail"][1:] == (427, 640)


def test_a_large_photo_is_shrunk_and_given_a_thumbnail_once(engine):
    with write_session(engine) as s:
        record = actions.create(s, actions.SYSTEM, valid_record())
        media = actions.add_media(s, actions.SYSTEM, record.id, "image",
                                  files.image("WEBP", (4000, 3000)), IMAGE_TEXTS)  # fmt: skip
        media_id = media.id
    with read_session(engine) as s:
        found = {f.variant: f for f in s.scalars(select(MediaFile))}
        media = s.get(Media, media_id)
        assert (media.width, media.height, media.content_type) == (2560, 1920, "image/webp")
        assert (found["thumbnail"].width, found["thumbnail"].height) == (640, 480)
        assert Image.open(io.BytesIO(found["file"].data)).size == (2560, 1920)
        assert media.size == len(found["file"].data) and media.sha256 == found["file"].sha256


@pytest.mark.parametrize(
    ("kind", "data", "texts", "field"),
    [
        ("image", files.HTML_AS_PDF, IMAGE_TEXTS, "file"),
        ("image", files.image(), {**IMAGE_TEXTS, "alt": ""}, "alt"),
        ("image", files.image(), {**IMAGE_TEXTS, "licence": "gpl"}, "licence"),
        ("image", files.image(), {**IMAGE_TEXTS, "alt": "x" * 501}, "alt"),
        ("image", files.image(), {**IMAGE_TEXTS, "title": "A title"}, "title"),
        ("document", files.FAKE_PDF, {"title": "Report"}, "file"),
        ("video", files.image(), {}, "kind"),
    ],
)
def test_the_action_refuses_and_writes_nothing_on_either_engine(engine, kind, data, texts, field):
    with write_session(engine) as s:
        record_id = actions.create(s, actions.SYSTEM, valid_record()).id
    with pytest.raises(actions.ValidationFailed) as refused, write_session(engine) as s:
        actions.add_media(s, actions.SYSTEM, record_id, kind, data, texts)
    assert field in refused.value.fields
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Media)) == 0
        assert s.scalar(select(func.count()).select_from(Revision)) == 1


def test_limits_are_stated_in_bytes_and_pixels():
    assert uploads.MAX_IMAGE_BYTES == 10 * 1024 * 1024
    assert uploads.MAX_IMAGE_PIXELS == 40_000_000 == Image.MAX_IMAGE_PIXELS
    assert uploads.MAX_DOCUMENT_BYTES == 20 * 1024 * 1024


def test_the_edit_page_changes_texts_and_removes_an_item(app, owner, draft):
    upload(owner, draft, "image", files.image(), "a.jpg", "image/jpeg", **IMAGE_TEXTS)
    with read_session(app.extensions["registry"].engine) as s:
        media_id = s.scalars(select(Media.id)).one()

    def post(path: str, **fields):
        page = owner.get(f"/my/initiatives/{draft}/edit").get_data(as_text=True)
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        data = {"csrf_token": csrf_from(page), "version": version, **fields}
        return owner.post(f"/my/initiatives/{draft}/media/{media_id}{path}", data=data)

    refused = post("", alt="", credit="Ville de Lyon", licence="cc0")
    assert refused.status_code == 422
    assert "alt text" in field_error(refused, f"m{media_id}", "alt")
    assert "<details open>" in refused.get_data(as_text=True)
    stale = owner.post(f"/my/initiatives/{draft}/media/{media_id}/remove",
                       data={"csrf_token": csrf_from(refused.get_data(as_text=True)),
                             "version": "1"})  # fmt: skip
    assert stale.status_code == 409
    assert post("", alt="A new alt", credit="Ville de Lyon", licence="cc0").status_code == 302
    with read_session(app.extensions["registry"].engine) as s:
        assert (s.get(Media, media_id).alt, s.get(Media, media_id).licence) == ("A new alt", "cc0")
    assert post("/remove").status_code == 302
    assert stored(app)[:2] == (0, 0)
    history = owner.get(f"/my/initiatives/{draft}/history").get_data(as_text=True)
    assert "Image or document removed" in history and "Images and documents" in history
