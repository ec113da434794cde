"""The HTML impact report of demo-like data, opened in a real headless Chromium.

Chromium comes from Debian (``apt-get install chromium``; test.sh installs it when it runs as
root). Without it the test skips on a developer machine but fails under CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from ledger.store import Ledger
from reports import render_report
from tests.impact_data import demo

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
                 if p and os.path.exists(p)), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB/RGBA PNG (stdlib only: zlib and unfiltering)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * bpp
    prev, rows = bytearray(stride), []
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        ftype, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                cur[i] = (cur[i] + a) & 255
            elif ftype == 2:
                cur[i] = (cur[i] + b) & 255
            elif ftype == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 255
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(b"".join(bytes(cur[i : i + 3]) for i in range(0, stride, bpp)))
        prev = cur
    return width, height, rows


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None, "the tests using it skip (or fail in CI) without Chromium"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


@pytest.fixture
def page(tmp_path, case_ledger_url) -> Path:
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("Chromium is required in CI: apt-get install -y chromium (test.sh does this as root)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    ledger = Ledger.open(case_ledger_url, upgrade=True)
    for case in demo():
        ledger.append(case.events)
    out = tmp_path / "report.html"
    out.write_text(render_report(ledger, "2025-2028", "html"), encoding="utf-8")
    ledger.dispose()
    return out


def test_html_report_renders_its_charts_in_chromium(page, tmp_path):
    shot = tmp_path / "report.png"
    done = chromium(f"--screenshot={shot}", "--window-size=1200,2400", page.as_uri(), profile=tmp_path / "p1")
    assert shot.exists(), done.stderr[-2000:]
    assert shot.stat().st_size > 50_000
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1200, 2400)
    colours = {row[i : i + 3] for row in rows[::4] for i in range(0, len(row), 12)}
    assert len(colours) > 40, "a blank or near-blank page"
    # The charts' fills are really painted: the green of bars and funnel and the amber of
    # indicators below target, each over a good number of pixels.
    counts = {name: sum(row.count(rgb) for row in rows[::2])
              for name, rgb in (("green", bytes.fromhex("0b6e4f")), ("amber", bytes.fromhex("c77d00")))}
    assert counts["green"] > 5_000 and counts["amber"] > 2_000, counts
    keep = os.environ.get("BRANDPUNT_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)


def test_html_report_prints_on_several_pages(page, tmp_path):
    pdf = tmp_path / "report.pdf"
    done = chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri(), profile=tmp_path / "p2")
    assert pdf.exists(), done.stderr[-2000:]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 3, pages  # each part of the report starts on its own page
    keep = os.environ.get("BRANDPUNT_KEEP_PDF")
    if keep:
        shutil.copy(pdf, keep)
