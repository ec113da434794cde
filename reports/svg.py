"""Charts as inline SVG strings: no scripts and no external assets, so the report opens offline,
prints, and can be mailed as one file. Each chart scales to its container (``viewBox``)."""

from __future__ import annotations

from html import escape

INK, GREEN, AMBER, GREY, LIGHT = "#1d2530", "#0b6e4f", "#c77d00", "#8a9a94", "#dfe8e4"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='100%' "
            f"style='max-width:{width}px' role='img' aria-label='{escape(title)}'>"
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _text(x: float, y: float, s: str, anchor: str = "start", weight: str = "normal", fill: str = INK) -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' font-size='12' font-family='sans-serif' text-anchor='{anchor}' "
            f"font-weight='{weight}' fill='{fill}'>{escape(s)}</text>")


def bars(rows: list[tuple[str, float, str]], title: str, *, width: int = 440, label_w: int = 150,
         target: float | None = None, target_label: str = "") -> str:
    """Horizontal bars (label, value, printed value). ``target`` draws one reference line; bars
    below it are amber, at or above it green."""
    if not rows:
        return "<p class='sub'>Nothing in this period.</p>"
    bar_h, gap, top_pad = 18, 8, 18 if target else 4
    top = max([v for _, v, _ in rows] + [target or 0, 1e-9])
    scale = (width - label_w - 80) / top
    height = top_pad + len(rows) * (bar_h + gap) + 4
    body = []
    for i, (label, v, shown) in enumerate(rows):
        y = top_pad + i * (bar_h + gap)
        w = max(v * scale, 1.5)
        colour = GREEN if target is None or v >= target else AMBER
        body.append(_text(label_w - 6, y + 13, label, "end"))
        body.append(f"<rect x='{label_w}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{colour}' rx='2'/>")
        body.append(_text(label_w + w + 4, y + 13, shown))
    if target:
        x = label_w + target * scale
        body.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='12' y2='{height - 2}' stroke='{INK}' "
                    "stroke-width='1.5' stroke-dasharray='4 3'/>")
        body.append(_text(x, 10, target_label, "middle", "bold"))
    return _svg(width, height, body, title)


def funnel(rows: list[tuple[str, int]], title: str, *, width: int = 440) -> str:
    """Centred bars, widest first, with the share of detected leads that got this far."""
    if not rows or not rows[0][1]:
        return "<p class='sub'>No leads yet.</p>"
    bar_h, gap, label_w = 22, 6, 150
    top = rows[0][1]
    span = width - label_w - 10
    body = []
    for i, (label, v) in enumerate(rows):
        y = i * (bar_h + gap) + 2
        w = max(span * v / top, 2)
        x = label_w + (span - w) / 2
        body.append(_text(label_w - 6, y + 15, label, "end"))
        body.append(f"<rect x='{x:.1f}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{GREEN}' "
                    f"fill-opacity='{1 - i * 0.11:.2f}' rx='2'/>")
        fill = "#ffffff" if w > 70 else INK
        body.append(_text(label_w + span / 2, y + 15, f"{v:,} ({v / top:.0%})", "middle", "bold", fill))
    return _svg(width, len(rows) * (bar_h + gap) + 4, body, title)


def stacked(rows: list[tuple[str, list[float]]], series: list[str], title: str, *,
            width: int = 440, label_w: int = 150) -> str:
    """Horizontal stacked bars with a legend: e.g. realised in another vs the own region."""
    if not rows:
        return "<p class='sub'>Nothing in this period.</p>"
    colours = [GREEN, GREY, AMBER, LIGHT]
    bar_h, gap, legend_h = 18, 8, 22
    top = max([sum(vs) for _, vs in rows] + [1e-9])
    scale = (width - label_w - 50) / top
    body = []
    x = label_w
    for s, colour in zip(series, colours, strict=False):
        body.append(f"<rect x='{x}' y='4' width='12' height='12' fill='{colour}'/>")
        body.append(_text(x + 16, 14, s))
        x += 24 + 7 * len(s)
    for i, (label, vs) in enumerate(rows):
        y = legend_h + i * (bar_h + gap)
        body.append(_text(label_w - 6, y + 13, label, "end"))
        x0 = float(label_w)
        for v, colour in zip(vs, colours, strict=False):
            if v:
                body.append(f"<rect x='{x0:.1f}' y='{y}' width='{v * scale:.1f}' height='{bar_h}' fill='{colour}'/>")
                x0 += v * scale
        body.append(_text(x0 + 4, y + 13, f"{sum(vs):,.0f}"))
    return _svg(width, legend_h + len(rows) * (bar_h + gap) + 4, body, title)
