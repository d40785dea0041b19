#!/usr/bin/env python3
"""Draw SME Hub's icon — three rising yellow bars on the brand blue — as the SVG that pages
link to and as the favicon.ico that browsers ask for at /favicon.ico (16, 32 and 48 px PNGs
in one ICO). Run after changing the shapes:

    .venv/bin/python scripts/build_favicon.py
"""

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "sme_hub" / "static" / "img"
SIZE = 32  # the drawing's own units
CORNER = 6
BLUE = (0x00, 0x57, 0xB7)
YELLOW = (0xFF, 0xD7, 0x00)
BARS = ((7, 17, 5, 8), (14, 12, 5, 13), (21, 7, 5, 18))  # x, y, width, height
ICO_SIZES = (16, 32, 48)
SAMPLES = 4  # per pixel and axis, for smooth edges


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def svg() -> str:
    bars = "".join(
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{hex_colour(YELLOW)}"/>'
        for x, y, w, h in BARS
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="{CORNER}" fill="{hex_colour(BLUE)}"/>'
        f"{bars}</svg>\n"
    )


def in_rounded_square(x: float, y: float) -> bool:
    cx = min(max(x, CORNER), SIZE - CORNER)
    cy = min(max(y, CORNER), SIZE - CORNER)
    return (x - cx) ** 2 + (y - cy) ** 2 <= CORNER**2


def colour_at(x: float, y: float) -> tuple[int, int, int, int]:
    if not in_rounded_square(x, y):
        return (0, 0, 0, 0)
    for bx, by, bw, bh in BARS:
        if bx <= x < bx + bw and by <= y < by + bh:
            return (*YELLOW, 255)
    return (*BLUE, 255)


def pixels(size: int) -> list[list[tuple[int, int, int, int]]]:
    scale = SIZE / size
    rows = []
    for row in range(size):
        line = []
        for column in range(size):
            samples = [
                colour_at(
                    (column + (i + 0.5) / SAMPLES) * scale, (row + (j + 0.5) / SAMPLES) * scale
                )
                for i in range(SAMPLES)
                for j in range(SAMPLES)
            ]
            alpha = sum(s[3] for s in samples)
            if alpha == 0:
                line.append((0, 0, 0, 0))
                continue
            rgb = [round(sum(s[k] * s[3] for s in samples) / alpha) for k in range(3)]
            line.append((rgb[0], rgb[1], rgb[2], round(alpha / len(samples))))
        rows.append(line)
    return rows


def png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(
        b"\x00" + bytes(channel for pixel in line for channel in pixel) for line in pixels(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico() -> bytes:
    images = [png(size) for size in ICO_SIZES]
    offset = 6 + 16 * len(images)
    directory = b""
    for size, image in zip(ICO_SIZES, images, strict=True):
        directory += struct.pack(
            "<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(image), offset
        )
        offset += len(image)
    return struct.pack("<HHH", 0, 1, len(images)) + directory + b"".join(images)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "favicon.svg").write_text(svg(), encoding="utf-8")
    (OUT / "favicon.ico").write_bytes(ico())
    print(f"wrote {OUT / 'favicon.svg'} and {OUT / 'favicon.ico'}")


if __name__ == "__main__":
    main()
