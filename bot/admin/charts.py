"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, and a report file that stays whole.

Agencies' machines may have no internet and reports are archived as single HTML files, so each
chart is plain SVG text with its numbers also written as labels (readable when printed). Every
label is escaped: topic names come from YAML that editors write.
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence

from markupsafe import Markup, escape

from bot.admin.figures import Share, percent

WIDTH = 600
FONT = "'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif"
COLOURS = ("#07c160", "#1f6fd1", "#f29100", "#d64541", "#8e44ad", "#16a2b8")
EMPTY = "暂无数据"


def _svg(height: int, title: str, body: list[str]) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{label}" font-family="{FONT}" font-size="15">'
        f"<title>{label}</title>{''.join(body)}</svg>")


def _text(x: float, y: float, text: object, anchor: str = "start", size: int = 15, fill: str = "#333") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}">{escape(str(text))}</text>')


def _empty(title: str) -> Markup:
    return _svg(60, title, [_text(WIDTH / 2, 35, EMPTY, "middle", fill="#999")])


def _nice_max(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least `value`."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def line_chart(dates: Sequence[dt.date], series: Sequence[tuple[str, Sequence[int]]], title: str) -> Markup:
    """Daily counts, one line per series, with a legend, a y axis and first/middle/last dates."""
    if not dates or not any(any(values) for _, values in series):
        return _empty(title)
    left, right, top, bottom, height = 48, 12, 30, 36, 260
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = _nice_max(max(max(values) for _, values in series))
    step = plot_w / max(len(dates) - 1, 1)
    body = [_axes(left, top, plot_w, plot_h, top_value)]
    for n, (name, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{left + i * step:.1f},{top + plot_h - v / top_value * plot_h:.1f}"
                          for i, v in enumerate(values))
        body.append(f'<polyline class="series" points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body.append(f'<rect x="{left + n * 180}" y="6" width="12" height="12" fill="{colour}"/>')
        body.append(_text(left + n * 180 + 16, 17, f"{name}（合计 {sum(values)}）", size=13))
    last = len(dates) - 1
    for i in sorted({0, last // 2, last}):
        anchor = "start" if i == 0 else "end" if i == last else "middle"
        body.append(_text(left + i * step, height - 14, dates[i].strftime("%m-%d"), anchor, 13, "#666"))
    return _svg(height, title, body)


def _axes(left: int, top: int, width: float, height: float, top_value: int) -> str:
    lines = []
    for fraction in (0, 0.5, 1):
        y = top + height - fraction * height
        lines.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        value = top_value * fraction
        lines.append(_text(left - 6, y + 4, f"{value:g}", "end", 13, "#666"))
    return "".join(lines)


def bar_chart(rows: Sequence[tuple[str, int]], title: str, unit: str = "") -> Markup:
    """Horizontal bars, largest first as given; the count is written at each bar's end."""
    rows = [row for row in rows if row[1] > 0]
    if not rows:
        return _empty(title)
    label_w, bar_h, gap = 150, 22, 8
    top_value = max(value for _, value in rows)
    room = WIDTH - label_w - 90
    body = []
    for n, (label, value) in enumerate(rows):
        y = 10 + n * (bar_h + gap)
        length = max(value / top_value * room, 1)
        body.append(_text(label_w - 8, y + 16, _clip(label), "end"))
        body.append(f'<rect class="bar" x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" '
                    f'fill="{COLOURS[n % len(COLOURS)]}"/>')
        body.append(_text(label_w + length + 6, y + 16, f"{value}{unit}"))
    return _svg(20 + len(rows) * (bar_h + gap), title, body)


def rate_chart(shares: Sequence[Share], title: str) -> Markup:
    """Bars on a 0–100 % scale (知晓率, 满意度), each labelled with its rate and how many it is out of."""
    shares = [share for share in shares if share.whole]
    if not shares:
        return _empty(title)
    label_w, bar_h, gap = 150, 22, 8
    room = WIDTH - label_w - 170
    body = []
    for n, share in enumerate(shares):
        y = 10 + n * (bar_h + gap)
        length = min(share.rate or 0, 1) * room  # a bar never leaves its track, even on odd counts
        body.append(_text(label_w - 8, y + 16, _clip(share.label), "end"))
        body.append(f'<rect x="{label_w}" y="{y}" width="{room}" height="{bar_h}" fill="#eef1f4"/>')
        body.append(f'<rect class="bar" x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" '
                    f'fill="{COLOURS[n % len(COLOURS)]}"/>')
        body.append(_text(label_w + room + 6, y + 16, f"{percent(share)}（{share.part}/{share.whole}）"))
    return _svg(20 + len(shares) * (bar_h + gap), title, body)


def _clip(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"
