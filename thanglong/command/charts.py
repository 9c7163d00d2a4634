"""Small charts as inline SVG drawn on the server: the same markup shows in the page and in the PDF
(WeasyPrint renders SVG), needs no JavaScript, and every label is escaped."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "font-family=\"'Noto Sans', 'DejaVu Sans', sans-serif\""
COLOURS = ("#1f5fa8", "#2e8540", "#c0392b", "#8e6c00")


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".") if abs(value) >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Vertical bars, one group per label (e.g. per week: received and resolved)."""
    left, bottom, top = 60, 40, 24
    plot_h = height - bottom - top
    plot_w = width - left - 10
    peak = max((value for _name, values in series for value in values), default=0) or 1
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(2.0, group_w * 0.8 / max(len(series), 1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" {FONT} font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#555"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="#333">{_number(peak)}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="#333">0</text>',
    ]
    for index, label in enumerate(labels):
        x0 = left + index * group_w + group_w * 0.1
        for position, (_name, values) in enumerate(series):
            value = values[index] if index < len(values) else 0
            bar_h = plot_h * value / peak
            x = x0 + position * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{bar_h:.1f}" fill="{COLOURS[position % len(COLOURS)]}">'
                f"<title>{escape(label)}: {_number(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{left + (index + 0.5) * group_w:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'fill="#333">{escape(label)}</text>'
        )
    for position, (name, _values) in enumerate(series):
        x = left + position * 150
        parts.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" '
            f'fill="{COLOURS[position % len(COLOURS)]}"/>'
            f'<text x="{x + 14}" y="{height - 5}" fill="#333">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above


def horizontal_bars(
    rows: Sequence[tuple[str, float | None]], *, title: str, width: int = 640, suffix: str = "%"
) -> SafeString:
    """One bar per row, values 0..1 drawn as percentages (e.g. on-time rate per unit)."""
    row_h, label_w = 18, 230
    height = row_h * len(rows) + 10
    bar_span = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" {FONT} font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(rows):
        y = 5 + index * row_h
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" fill="#333">{escape(short)}</text>'
        )
        if value is None:
            parts.append(f'<text x="{label_w}" y="{y + 12}" fill="#777">—</text>')
            continue
        bar = bar_span * max(0.0, min(1.0, value))
        colour = COLOURS[1] if value >= 0.9 else COLOURS[3] if value >= 0.7 else COLOURS[2]
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{bar:.1f}" height="{row_h - 5}" fill="{colour}"/>'
            f'<text x="{label_w + bar + 4:.1f}" y="{y + 12}" fill="#333">'
            f"{100 * value:.0f}{escape(suffix)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above


def progress_line(
    points: Sequence[tuple[str, float]], *, target: float, baseline: float, title: str, width: int = 480
) -> SafeString:
    """A target's reported values over time, with the baseline and the target value as guides."""
    height, left, top, bottom = 160, 44, 14, 28
    plot_w, plot_h = width - left - 12, height - top - bottom
    values = [value for _label, value in points] + [target, baseline]
    low, high = min(values), max(values)
    span = (high - low) or 1

    def y(value: float) -> float:
        return top + plot_h - plot_h * (value - low) / span

    def x(index: int) -> float:
        return left + (plot_w * index / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" {FONT} font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" x2="{width - 12}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
        f'stroke="{COLOURS[1]}" stroke-dasharray="4 3"/>'
        f'<text x="{left - 4}" y="{y(target) + 4:.1f}" text-anchor="end" '
        f'fill="{COLOURS[1]}">{_number(target)}</text>',
        f'<line x1="{left}" x2="{width - 12}" y1="{y(baseline):.1f}" y2="{y(baseline):.1f}" stroke="#999" '
        f'stroke-dasharray="2 3"/><text x="{left - 4}" y="{y(baseline) + 4:.1f}" text-anchor="end" '
        f'fill="#777">{_number(baseline)}</text>',
    ]
    if points:
        path = " ".join(f"{x(index):.1f},{y(value):.1f}" for index, (_label, value) in enumerate(points))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS[0]}" stroke-width="2"/>')
        for index, (label, value) in enumerate(points):
            parts.append(
                f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="3" fill="{COLOURS[0]}">'
                f"<title>{escape(label)}: {_number(value)}</title></circle>"
            )
        for index in {0, len(points) - 1}:
            parts.append(
                f'<text x="{x(index):.1f}" y="{height - 8}" text-anchor="middle" fill="#333">'
                f"{escape(points[index][0])}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above
