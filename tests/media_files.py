"""Real files for the media tests, made with Pillow and pypdf: photographs with GPS positions in
their EXIF, decompression bombs, PDFs, and files whose name lies about what they are."""

from __future__ import annotations

import io
import os
import struct
import zlib

from PIL import ExifTags, Image
from pypdf import PdfWriter

# Where the "photograph" was taken: what must not survive the upload.
GPS_LATITUDE = (48.0, 51.0, 24.0)
GPS_LONGITUDE = (2.0, 21.0, 7.0)


def image(fmt: str = "JPEG", size: tuple[int, int] = (1200, 800), colour="seagreen") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def photo_with_gps(size: tuple[int, int] = (1200, 800), orientation: int = 6) -> bytes:
    """A JPEG whose EXIF holds a GPS position, a camera, an author and an orientation (6: the
    camera was turned, the image must be shown rotated 90°), plus an XMP packet."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phonemaker"
    exif[ExifTags.Base.Artist] = "Jeanne Privée"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = GPS_LONGITUDE
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>secret-place</rdf:RDF></x:xmpmeta>'
    out = io.BytesIO()
    picture = Image.new("RGB", size, "tomato")
    picture.paste("navy", (0, 0, size[0] // 2, size[1] // 4))  # a corner to tell up from down
    picture.save(out, "JPEG", exif=exif, xmp=xmp, comment=b"taken at home")
    return out.getvalue()


def noise_png(megabytes: float) -> bytes:
    """A real PNG of random pixels (incompressible), about `megabytes` large."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5) + 1
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int) -> bytes:
    """A valid 1-bit PNG of side × side pixels, all black: a few hundred kilobytes that decode
    to side² pixels (a decompression bomb when side is large)."""
    row = b"\x00" * (1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
            + _chunk(b"IEND", b""))  # fmt: skip


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (40, 40)).save(out, "GIF")
    return out.getvalue()


def pdf(title: str = "Evaluation report", pages: int = 2, attachment: int = 0) -> bytes:
    """A real PDF of blank pages, its title in the metadata (stored uncompressed), optionally
    carrying `attachment` bytes of random data (to make it large)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": title})
    if attachment:
        writer.add_attachment("data.bin", os.urandom(attachment))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


FAKE_PDF = b"%PDF-1.7\n" + b"not really a document, only its first line is\n" * 200
HTML_AS_PDF = (
    b"<!doctype html><html><head><title>Report</title></head>"
    b"<body><script>alert(document.cookie)</script></body></html>"
)
