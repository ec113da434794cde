"""Charts as inline SVG: no scripts and no external assets, so the report opens offline, prints, and
can be mailed as one file. Each chart scales to its container (``viewBox``; the stylesheet caps its
width). This module computes the geometry; the markup is the template ``_charts.html``, escaped by
the engine like every other value."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

INK, GREEN, AMBER, GREY, LIGHT = "#1d2530", "#0b6e4f", "#c77d00", "#8a9a94", "#dfe8e4"


@dataclass(frozen=True)
class Shape:
    """One rectangle, line or text of a chart, in the chart's own coordinates."""

    kind: str  # rect, line, text
    x: float
    y: float
    w: float = 0.0
    h: float = 0.0
    fill: str = INK
    opacity: float | None = None
    text: str = ""
    anchor: str = "start"
    bold: bool = False
    dashed: bool = False


@dataclass
class Chart:
    width: int
    height: int
    title: str
    shapes: list[Shape] = field(default_factory=list)

    def text(self, x: float, y: float, s: str, anchor: str = "start", bold: bool = False, fill: str = INK) -> None:
        self.shapes.append(Shape("text", x, y, text=s, anchor=anchor, bold=bold, fill=fill))

    def rect(self, x: float, y: float, w: float, h: float, fill: str, opacity: float | None = None) -> None:
        self.shapes.append(Shape("rect", x, y, w, h, fill, opacity))

    def markup(self) -> Markup:
        from reports.templating import reports_environment

        macro = reports_environment().get_template("_charts.html").module.chart  # type: ignore[attr-defined]  # a template's macros are its module's attributes
        return Markup(macro(self))


def _nothing(text: str = "Nothing in this period.") -> Markup:
    from reports.templating import reports_environment

    return Markup(reports_environment().get_template("_charts.html").module.nothing(text))  # type: ignore[attr-defined]  # as above


def bars(rows: list[tuple[str, float, str]], title: str, *, width: int = 440, label_w: int = 150,
         target: float | None = None, target_label: str = "") -> Markup:
    """Horizontal bars (label, value, printed value). ``target`` draws one reference line; bars
    below it are amber, at or above it green."""
    if not rows:
        return _nothing()
    bar_h, gap, top_pad = 18, 8, 18 if target else 4
    top = max([v for _, v, _ in rows] + [target or 0, 1e-9])
    scale = (width - label_w - 80) / top
    height = top_pad + len(rows) * (bar_h + gap) + 4
    chart = Chart(width, height, title)
    for i, (label, v, shown) in enumerate(rows):
        y = top_pad + i * (bar_h + gap)
        w = max(v * scale, 1.5)
        chart.text(label_w - 6, y + 13, label, "end")
        chart.rect(label_w, y, w, bar_h, GREEN if target is None or v >= target else AMBER)
        chart.text(label_w + w + 4, y + 13, shown)
    if target:
        x = label_w + target * scale
        chart.shapes.append(Shape("line", x, 12, 0, height - 14, dashed=True))
        chart.text(x, 10, target_label, "middle", bold=True)
    return chart.markup()


def funnel(rows: list[tuple[str, int]], title: str, *, width: int = 440) -> Markup:
    """Centred bars, widest first, with the share of detected leads that got this far."""
    if not rows or not rows[0][1]:
        return _nothing("No leads yet.")
    bar_h, gap, label_w = 22, 6, 150
    top = rows[0][1]
    span = width - label_w - 10
    chart = Chart(width, len(rows) * (bar_h + gap) + 4, title)
    for i, (label, v) in enumerate(rows):
        y = i * (bar_h + gap) + 2
        w = max(span * v / top, 2)
        chart.text(label_w - 6, y + 15, label, "end")
        chart.rect(label_w + (span - w) / 2, y, w, bar_h, GREEN, round(1 - i * 0.11, 2))
        chart.text(label_w + span / 2, y + 15, f"{v:,} ({v / top:.0%})", "middle", True, "#ffffff" if w > 70 else INK)
    return chart.markup()


def stacked(rows: list[tuple[str, list[float]]], series: list[str], title: str, *,
            width: int = 440, label_w: int = 150) -> Markup:
    """Horizontal stacked bars with a legend: e.g. realised in another vs the own region."""
    if not rows:
        return _nothing()
    colours = [GREEN, GREY, AMBER, LIGHT]
    bar_h, gap, legend_h = 18, 8, 22
    top = max([sum(vs) for _, vs in rows] + [1e-9])
    scale = (width - label_w - 50) / top
    chart = Chart(width, legend_h + len(rows) * (bar_h + gap) + 4, title)
    x = label_w
    for s, colour in zip(series, colours, strict=False):
        chart.rect(x, 4, 12, 12, colour)
        chart.text(x + 16, 14, s)
        x += 24 + 7 * len(s)
    for i, (label, vs) in enumerate(rows):
        y = legend_h + i * (bar_h + gap)
        chart.text(label_w - 6, y + 13, label, "end")
        x0 = float(label_w)
        for v, colour in zip(vs, colours, strict=False):
            if v:
                chart.rect(x0, y, v * scale, bar_h, colour)
                x0 += v * scale
        chart.text(x0 + 4, y + 13, f"{sum(vs):,.0f}")
    return chart.markup()
