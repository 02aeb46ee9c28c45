"""The board chart (四色分布 per committee, stacked columns) as a PNG, drawn with Pillow from the same
figures as 调度看板."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .figures import ChartData

WIDTH, HEIGHT = 2000, 1000
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 110, 40, 150, 300
NAME_CHARS = 9


def render_chart(chart: ChartData, title: str, font_file: Path, out: Path) -> Path:
    """Stacked columns, one per unit, in the palette's colours, with value labels and a legend."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    big, small, tiny = (ImageFont.truetype(str(font_file), s) for s in (44, 30, 26))
    draw.text((WIDTH // 2, 20), title, font=big, fill="black", anchor="ma")
    totals = [sum(c) for c in chart.counts]
    top = max(totals, default=0) or 1
    scale = top * 1.08  # room for the total above the tallest column
    plot_w, plot_h = WIDTH - MARGIN_LEFT - MARGIN_RIGHT, HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    base = MARGIN_TOP + plot_h
    step = _nice_step(top)
    for value in range(0, top + step, step):
        y = base - plot_h * value / scale
        if y < MARGIN_TOP - 1:
            break
        draw.line([(MARGIN_LEFT, y), (WIDTH - MARGIN_RIGHT, y)], fill="#DDDDDD", width=2)
        draw.text((MARGIN_LEFT - 12, y), str(value), font=tiny, fill="#404040", anchor="rm")
    slot = plot_w / max(len(chart.units), 1)
    bar = slot * 0.6
    for i, (unit, counts) in enumerate(zip(chart.units, chart.counts, strict=True)):
        x = MARGIN_LEFT + slot * i + (slot - bar) / 2
        y = float(base)
        for (_, fill), count in zip(chart.colours, counts, strict=True):
            if not count:
                continue
            h = plot_h * count / scale
            draw.rectangle([x, y - h, x + bar, y], fill=f"#{fill}", outline="white")
            if h >= 28:
                draw.text((x + bar / 2, y - h / 2), str(count), font=tiny, fill="black", anchor="mm")
            y -= h
        draw.text((x + bar / 2, y - 6), str(totals[i]), font=tiny, fill="#202020", anchor="md")
        _vertical_label(image, unit, small, (int(x + bar / 2), base + 12))
    draw.line([(MARGIN_LEFT, base), (WIDTH - MARGIN_RIGHT, base)], fill="black", width=2)
    legend_x = MARGIN_LEFT
    for label, fill in chart.colours:
        draw.rectangle([legend_x, 88, legend_x + 28, 112], fill=f"#{fill}")
        draw.text((legend_x + 36, 100), label, font=small, fill="black", anchor="lm")
        legend_x += 60 + int(draw.textlength(label, font=small))
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out)
    return out


def _vertical_label(image: Image.Image, text: str, font: ImageFont.FreeTypeFont, top_centre: tuple[int, int]) -> None:
    """A unit name written top to bottom (as Chinese labels are), at most NAME_CHARS characters."""
    draw = ImageDraw.Draw(image)
    shown = text if len(text) <= NAME_CHARS else text[:NAME_CHARS - 1] + "…"
    x, y = top_centre
    for ch in shown:
        draw.text((x, y), ch, font=font, fill="black", anchor="ma")
        y += 31


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 8:
            return step
    return max(1, top // 8)
