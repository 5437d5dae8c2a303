"""Draw the SegmentDesk app icon: the SVG and every raster size from one geometry, with Pillow.

    .venv/bin/python packaging/make_icons.py

Writes resources/icons/segmentdesk.svg and segmentdesk-<n>.png (the window icon and the Linux
hicolor icons), packaging/icons/segmentdesk.ico (Windows exe and installer) and
packaging/icons/segmentdesk.icns (macOS bundle). The outputs are committed; rerun after a change.

The picture: the app's accent-blue rounded square with a white donut chart of customer segments,
one segment (the target) pulled out in amber.
"""
from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
PACKAGING = ROOT / "packaging" / "icons"

SIZE = 256  # design units (the SVG viewBox)
TILE = (12, 12, 244, 244)  # rounded square, inset so the shape reads as an icon on every desktop
TILE_RADIUS = 54
BACKGROUND = "#2563eb"  # ui.theme.ACCENT
CENTER = (128.0, 128.0)
OUTER, INNER = 84.0, 46.0
GAP = 7.0  # degrees between segments
# (start, end) in degrees clockwise from 12 o'clock, colour, how far the segment is pulled out.
SEGMENTS = (
    (0.0, 165.0, "#ffffff", 0.0),
    (165.0, 262.0, "#bfdbfe", 0.0),
    (262.0, 360.0, "#fbbf24", 12.0),
)
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
SUPERSAMPLE = 4


def _point(center: tuple[float, float], radius: float, degrees: float) -> tuple[float, float]:
    a = math.radians(degrees)
    return center[0] + radius * math.sin(a), center[1] - radius * math.cos(a)


def _segment_center(start: float, end: float, pull: float) -> tuple[float, float]:
    return _point(CENTER, pull, (start + end) / 2)


def _svg() -> str:
    x0, y0, x1, y1 = TILE
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}">',
        "  <title>SegmentDesk</title>",
        f'  <rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="{TILE_RADIUS}" fill="{BACKGROUND}"/>',
    ]
    for start, end, colour, pull in SEGMENTS:
        c = _segment_center(start, end, pull)
        a, b = start + GAP / 2, end - GAP / 2
        large = 1 if b - a > 180 else 0
        p1, p2 = _point(c, OUTER, a), _point(c, OUTER, b)
        p3, p4 = _point(c, INNER, b), _point(c, INNER, a)
        d = (f"M{p1[0]:.2f} {p1[1]:.2f} A{OUTER:g} {OUTER:g} 0 {large} 1 {p2[0]:.2f} {p2[1]:.2f} "
             f"L{p3[0]:.2f} {p3[1]:.2f} A{INNER:g} {INNER:g} 0 {large} 0 {p4[0]:.2f} {p4[1]:.2f} Z")
        parts.append(f'  <path d="{d}" fill="{colour}"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _raster(pixels: int) -> Image.Image:
    """The icon at `pixels` square, drawn large and scaled down (Pillow draws without antialiasing)."""
    big = pixels * SUPERSAMPLE
    scale = big / SIZE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([v * scale for v in TILE], radius=TILE_RADIUS * scale, fill=BACKGROUND)
    for start, end, colour, pull in SEGMENTS:
        c = _segment_center(start, end, pull)
        a, b = start + GAP / 2, end - GAP / 2
        steps = max(8, int(b - a))
        outer = [_point(c, OUTER, a + (b - a) * i / steps) for i in range(steps + 1)]
        inner = [_point(c, INNER, b - (b - a) * i / steps) for i in range(steps + 1)]
        draw.polygon([(x * scale, y * scale) for x, y in outer + inner], fill=colour)
    return image.resize((pixels, pixels), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    PACKAGING.mkdir(parents=True, exist_ok=True)
    (ICONS / "segmentdesk.svg").write_text(_svg(), encoding="utf-8", newline="\n")
    for n in PNG_SIZES:
        _raster(n).save(ICONS / f"segmentdesk-{n}.png", optimize=True)
    _raster(256).save(PACKAGING / "segmentdesk.ico", sizes=[(n, n) for n in ICO_SIZES],
                      append_images=[_raster(n) for n in ICO_SIZES if n != 256])
    _raster(1024).save(PACKAGING / "segmentdesk.icns",
                       append_images=[_raster(n) for n in (16, 32, 64, 128, 256, 512)])
    print("wrote", ICONS / "segmentdesk.svg", "and", len(PNG_SIZES), "PNGs; .ico and .icns in", PACKAGING)


if __name__ == "__main__":
    main()
