"""Images drawn in code for the demo signatory: a handwritten-looking signature and a round
office stamp (no third-party image; the stamp's letters use the Noto Sans font shipped for PDFs)."""

import io
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path(__file__).resolve().parent.parent / "documents" / "fonts" / "NotoSans-Bold.ttf"
INK = (22, 38, 110, 255)
STAMP = (176, 30, 40, 215)


def signature_png() -> bytes:
    """A flowing pen line on a transparent background, 600 × 200 pixels."""
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = []
    for step in range(0, 481):
        t = step / 480
        # A prolate cycloid: the loops of joined-up handwriting, slowly getting smaller.
        x = 60 + 470 * t + 26 * math.cos(t * math.pi * 16) * (1 - t * 0.5)
        y = 100 - 42 * math.sin(t * math.pi * 16) * (1 - t * 0.55) - 18 * math.sin(t * math.pi * 1.7)
        points.append((x, y))
    draw.line(points, fill=INK, width=5, joint="curve")
    # A loop at the start and an underline with a flourish.
    draw.line([(30, 150), (60, 30), (75, 120)], fill=INK, width=5, joint="curve")
    draw.line([(70, 165), (330, 150), (560, 158)], fill=INK, width=4, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def stamp_png(ring_text: str = "AMBASSADE DE FRANCE AU VIETNAM • SÉCURITÉ INTÉRIEURE • ",
              centre: str = "HANOÏ") -> bytes:
    """A round stamp: two rings, the office's name around them, the city in the middle."""
    size = 420
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    middle = size / 2
    draw.ellipse((8, 8, size - 8, size - 8), outline=STAMP, width=9)
    draw.ellipse((78, 78, size - 78, size - 78), outline=STAMP, width=5)
    font = ImageFont.truetype(str(FONT), 30)
    radius = middle - 42
    count = len(ring_text)
    for index, letter in enumerate(ring_text):
        angle = 2 * math.pi * index / count - math.pi / 2
        glyph = Image.new("RGBA", (44, 44), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((22, 22), letter, font=font, fill=STAMP, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        x = middle + radius * math.cos(angle) - 22
        y = middle + radius * math.sin(angle) - 22
        image.alpha_composite(glyph, (int(round(x)), int(round(y))))
    big = ImageFont.truetype(str(FONT), 46)
    draw.text((middle, middle), centre, font=big, fill=STAMP, anchor="mm")
    draw.line((110, middle + 40, size - 110, middle + 40), fill=STAMP, width=4)
    draw.line((110, middle - 40, size - 110, middle - 40), fill=STAMP, width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
