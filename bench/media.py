"""Time what an upload costs a worker, beside what the file alone costs to decode.

    python -m bench.media [--repeat 5]

For a 12-megapixel JPEG photograph (4000 × 3000, noisy like a real photo), a 2-megapixel PNG
and a WebP: the baseline is Pillow decoding the file; `accept` adds the header checks, turning
upright, shrinking to 2560 pixels, re-encoding without metadata and the thumbnail. Then a
decompression bomb (20,000² pixels in ~50 KB), refused from its header, and a 20 MB PDF parsed
by pypdf. Prints the median of `--repeat` runs per case.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from collections.abc import Callable

from PIL import Image

from registry.media import uploads
from tests import media_files


def _photo(size: tuple[int, int], fmt: str) -> bytes:
    """A photograph-like image: smooth gradients plus noise, so encoders work as on a photo."""
    width, height = size
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.frombytes("RGB", size, os.urandom(width * height * 3))
    out = io.BytesIO()
    Image.blend(base, noise, 0.25).save(out, fmt, quality=90)
    return out.getvalue()


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _decode(data: bytes) -> None:
    Image.open(io.BytesIO(data)).load()


def _refused(kind: str, data: bytes) -> None:
    try:
        uploads.accept(kind, data)
    except uploads.Refused:
        return
    raise AssertionError("expected a refusal")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    cases = {
        "JPEG 4000×3000": _photo((4000, 3000), "JPEG"),
        "PNG 1600×1200": _photo((1600, 1200), "PNG"),
        "WebP 3000×2000": _photo((3000, 2000), "WEBP"),
    }
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print(f"{'case':<28}{'size':>10}{'decode only':>14}{'accept':>10}")
    for name, data in cases.items():
        baseline = _median(lambda d=data: _decode(d), repeat)
        accepted = _median(lambda d=data: uploads.accept("image", d), repeat)
        size = f"{len(data) / 1024 / 1024:.1f} MB"
        print(f"{name:<28}{size:>10}{baseline * 1000:>12.0f}ms{accepted * 1000:>8.0f}ms")
    bomb = media_files.bomb_png(20_000)
    refused = _median(lambda: _refused("image", bomb), repeat)
    print(f"{'bomb 20000×20000 (refused)':<28}{len(bomb) / 1024:>8.0f}KB{'—':>14}"
          f"{refused * 1000:>8.1f}ms")  # fmt: skip
    pdf = media_files.pdf(pages=200, attachment=19 * 1024 * 1024)
    parsed = _median(lambda: uploads.accept("document", pdf), repeat)
    print(f"{'PDF 200 pages, 19 MB':<28}{len(pdf) / 1024 / 1024:>7.1f} MB{'—':>14}"
          f"{parsed * 1000:>8.0f}ms")  # fmt: skip


if __name__ == "__main__":
    main()
