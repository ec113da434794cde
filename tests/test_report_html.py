"""The HTML impact report of the demo-like data, opened in a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from ledger.store import Ledger
from reports import render_report
from tests.test_impact import Script, at, proposals, realise_path  # noqa: F401 - shared builders

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def png_colours(path: Path) -> int:
    """Distinct RGB(A) pixel values of an 8-bit PNG (stdlib only: zlib + unfiltering)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype in (2, 6)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours = set()
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
        if y % 8 == 0:
            colours.update(bytes(cur[i : i + 3]) for i in range(0, stride, bpp * 4))
        prev = cur
    return len(colours)


def test_html_report_renders_its_charts_in_chromium(tmp_path, sqlite_url):
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("Chromium is required in CI (.ci/run installs it with apt-get)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    ledger = Ledger.open(sqlite_url, upgrade=True)
    for i, (hotspot, start) in enumerate([("twente", at(2025, 2)), ("groningen", at(2025, 6)),
                                          ("almere", at(2026, 1)), ("twente", at(2026, 3))]):
        realise_path(Script(ledger, f"lead-r{i}").do(start, "start", phase=2), start, hotspot, 50_000_000 * (i + 1), i % 2 == 0)
    Script(ledger, "lead-open").do(at(2026, 4), "start", phase=1)
    page = tmp_path / "report.html"
    page.write_text(render_report(ledger, "2025-2028", "html"), encoding="utf-8")
    ledger.dispose()
    shot = tmp_path / "report.png"
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,1800",
         "--hide-scrollbars", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert shot.exists(), done.stderr[-2000:]
    assert shot.stat().st_size > 20_000
    assert png_colours(shot) > 20  # text, green and amber bars, target lines: not a blank page
    keep = os.environ.get("BRANDPUNT_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
