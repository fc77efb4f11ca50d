"""Small horizontal bar charts as inline SVG, drawn when the site is written.

Why SVG drawn by releasekit rather than a chart plugin (datasette-vega and the
like): the register page is a static fact sheet of one build, so the picture
can be drawn once from the summary tables. Inline SVG needs no JavaScript, no
plugin to pin, no request back to the database, shows in a screenshot or a
text browser (every bar carries its number as text), and is byte-identical
for the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 800
LABEL_WIDTH = 330
VALUE_WIDTH = 150
ROW = 26
TOP = 34
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length (None = no figure) and the text written beside it."""

    label: str
    value: float | None
    text: str


def bar_chart(title: str, bars: Sequence[Bar], *, maximum: float | None = None, css_class: str = "chart",
              colours: Sequence[str] = PALETTE[:1]) -> str:
    """An SVG bar chart; ``maximum`` fixes the scale (100 for percentages), else the longest bar."""
    scale_to = maximum if maximum is not None else max((b.value or 0 for b in bars), default=0)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW * max(len(bars), 1) + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" role="group" '
        f'aria-label="{escape(title)}" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        'font-family="system-ui, sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" font-weight="bold">{escape(title)}</text>',
    ]
    if not bars:
        out.append(f'<text x="0" y="{TOP + 16}">no figures yet / belum ada angka</text>')
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        length = 0.0 if not bar.value or scale_to <= 0 else plot * min(bar.value / scale_to, 1.0)
        colour = colours[i % len(colours)]
        out.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end">{escape(_clip(bar.label))}</text>')
        out.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW - 8}" '
                   f'fill="{colour}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>')
        out.append(f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 16}">{escape(bar.text)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _clip(label: str, limit: int = 36) -> str:
    """``label`` cut to fit left of the bars (``LABEL_WIDTH``: 36 characters of 13 px fit, capitals of a wide font
    too, where 46 lost their first, a candidate's ballot number), its whole text kept in the bar's tooltip."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
