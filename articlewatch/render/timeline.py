"""An article's versions over time as a small inline SVG chart (no script, no external resource)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from markupsafe import Markup, escape

from ..report import TimelinePoint
from . import human_time, summarize

WIDTH = 640
HEIGHT = 64
_MARGIN = 18  # room for the first and last dot and their labels
_AXIS_Y = 26
_DOT_SPACING = 3  # pixels kept between two dots that came close together in time
_LABEL_GAP = 26  # version labels closer than this are left out (the dot's tooltip still names it)
_COLORS = {"first": "#8a8f98", "significant": "#c0392b", "minor": "#7f8fb0"}


def timeline_svg(points: Sequence[TimelinePoint]) -> Markup:
    """The versions as dots on a time axis; dot area grows with the words changed."""
    if not points:
        return Markup("")
    radii = [_radius(p) for p in points]
    xs = _positions([_seconds(p.fetched_at) for p in points], radii)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(_caption(points))}">',
        f'<line x1="{_MARGIN}" y1="{_AXIS_Y}" x2="{WIDTH - _MARGIN}" y2="{_AXIS_Y}" '
        'stroke="#c8c8c8" stroke-width="2"/>',
        _date_label(_MARGIN, "start", points[0].fetched_at),
    ]
    if len(points) > 1:
        parts.append(_date_label(WIDTH - _MARGIN, "end", points[-1].fetched_at))
    last_label = -math.inf
    for point, x, radius in zip(points, xs, radii, strict=True):
        color = _COLORS[_tone(point)]
        fill = color if point.in_period or point.change is None else "#ffffff"
        tooltip = f"version {point.version} · {human_time(point.fetched_at)} · " + (
            summarize(point.change) if point.change else "first version"
        )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{_AXIS_Y}" r="{radius:.1f}" fill="{fill}" stroke="{color}" '
            f'stroke-width="2"><title>{escape(tooltip)}</title></circle>'
        )
        if x - last_label >= _LABEL_GAP or point is points[-1]:
            parts.append(
                f'<text x="{x:.1f}" y="{_AXIS_Y + 24}" font-size="11" text-anchor="middle" '
                f'font-family="system-ui, sans-serif" fill="#555">v{point.version}</text>'
            )
            last_label = x
    parts.append("</svg>")
    return Markup("".join(parts))


def _positions(seconds: list[float], radii: list[float]) -> list[float]:
    """x of each version: proportional to time, nudged apart so that no two dots overlap."""
    span = WIDTH - 2 * _MARGIN
    if len(seconds) == 1:
        return [WIDTH / 2]
    start, end = seconds[0], seconds[-1]
    if end <= start:
        return [_MARGIN + span * i / (len(seconds) - 1) for i in range(len(seconds))]
    xs = [_MARGIN + span * (s - start) / (end - start) for s in seconds]
    gaps = [radii[i - 1] + radii[i] + _DOT_SPACING for i in range(1, len(xs))]
    squeeze = min(1.0, span / sum(gaps))  # too many versions for the width: dots may touch
    gaps = [gap * squeeze for gap in gaps]
    for i in range(1, len(xs)):  # push right, then pull back from the right edge
        xs[i] = max(xs[i], xs[i - 1] + gaps[i - 1])
    xs[-1] = min(xs[-1], WIDTH - _MARGIN)
    for i in range(len(xs) - 2, -1, -1):
        xs[i] = min(xs[i], xs[i + 1] - gaps[i])
    return xs


def _date_label(x: float, anchor: str, moment: str) -> str:
    return (
        f'<text x="{x:.1f}" y="9" font-size="10" text-anchor="{anchor}" '
        f'font-family="system-ui, sans-serif" fill="#888">{escape(human_time(moment)[:10])}</text>'
    )


def _radius(point: TimelinePoint) -> float:
    if point.change is None:
        return 4.0
    return min(11.0, 4.0 + math.sqrt(point.size.total))


def _tone(point: TimelinePoint) -> str:
    if point.change is None:
        return "first"
    return "significant" if point.change.significant else "minor"


def _seconds(moment: str) -> float:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()


def _caption(points: Sequence[TimelinePoint]) -> str:
    return f"Timeline of {len(points)} versions, {human_time(points[0].fetched_at)} to " + human_time(
        points[-1].fetched_at
    )
