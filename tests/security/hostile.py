"""A corpus of hostile inputs, named, for the table-driven tests of tests/security.

Each list holds (name, value) pairs so a failing case says which input broke what. Some
strings are real junk posted on Decide Madrid (CONSUL), read from the shared data folder
(tests/data/participation_junk.csv keeps the lines used, so the tests run without it).
"""

import csv
import io
import os
import struct
import zlib

from PIL import Image

HERE = os.path.dirname(__file__)

# --- text -----------------------------------------------------------------------------------

SCRIPT = "<script>alert('xss')</script>"
MARKUP = [
    ("script", SCRIPT),
    ("img onerror", '<img src=x onerror="alert(1)">'),
    ("svg onload", "<svg/onload=alert(1)>"),
    ("attribute breakout", '"><script>alert(2)</script>'),
    ("javascript url", "javascript:alert(document.cookie)"),
    ("closing textarea", "</textarea><script>alert(3)</script>"),
    ("template syntax", "{{ config.SECRET_KEY }}{% raw %}"),
    ("iframe", '<iframe src="https://evil.example/"></iframe>'),
]
# What a rendered page must never contain when one of MARKUP was stored.
RAW_MARKERS = ("<script>alert", "<img src=x", "<svg/onload", "<iframe src=")

FORMULAS = [
    ("equals", '=HYPERLINK("http://evil.example","click")'),
    ("plus", "+1+cmd|' /C calc'!A0"),
    ("minus", "-2+3+cmd|' /C calc'!A0"),
    ("at", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("tab", "\t=1+1"),
    ("carriage return", "\r=1+1"),
    ("dde", "=cmd|' /C notepad'!'A1'"),
]
# Cells that look like formulas' first characters but are plain numbers: kept readable.
NUMBERS_KEPT = [("negative", "-3.8767"), ("signed", "+12"), ("exponent", "-1e-05")]

DIRECTION_OVERRIDES = [
    ("right-to-left override", "Invoice \u202egpj.exe"),
    ("left-to-right override", "\u202dadmin"),
    ("right-to-left embedding", "\u202bname\u202c"),
    ("first strong isolate", "\u2068name\u2069"),
    ("right-to-left isolate", "x\u2067y\u2069"),
]
# Stripped from names and titles: invisible characters that make two names look alike.
INVISIBLE = [
    ("zero-width space", "Mod\u200berator", "Moderator"),
    ("word joiner", "Ad\u2060min", "Admin"),
    ("byte order mark", "\ufeffÉquipe", "Équipe"),
    ("soft hyphen", "Ma\u00adrie", "Marie"),
]
# Real names that must keep working (the NFD one is stored NFC).
REAL_NAMES = [
    ("precomposed", "Zoë Durand", "Zoë Durand"),
    ("combining diaeresis", "Zoe\u0308 Durand", "Zoë Durand"),
    ("vietnamese", "Đặng Thị Mai", "Đặng Thị Mai"),
    ("vietnamese decomposed", "\u0110a\u0323\u0306ng Thi\u0323 Mai", "Đặng Thị Mai"),
    ("arabic", "محمد بن علي", "محمد بن علي"),
    ("hebrew", "שרה לוי", "שרה לוי"),
    ("persian with zwnj", "مهدی\u200cپور", "مهدی\u200cپور"),
    ("right-to-left mark", "\u200fנועה", "\u200fנועה"),
]

NUMBERS = [
    ("nan", "NaN"),
    ("infinity", "Infinity"),
    ("minus infinity", "-Infinity"),
]
JSON_NON_FINITE = [
    ("nan value", '{"title": "x", "value": NaN}'),
    ("infinity nested", '{"a": {"b": [1, Infinity]}}'),
    ("minus infinity", '{"lon": -Infinity}'),
]


def participation_junk(limit=12):
    """Real probe posts from Decide Madrid ("SSRF Test …"): (name, title, description)."""
    path = os.path.join(HERE, "..", "data", "participation_junk.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return [(f"madrid {r['id']}", r["title"], r["description"]) for r in rows[:limit]]


# --- geometries (GeoJSON) ---------------------------------------------------------------------

IN_MONTPELLIER = [3.8767, 43.6108]
BOWTIE = [[[3.87, 43.60], [3.88, 43.61], [3.88, 43.60], [3.87, 43.61], [3.87, 43.60]]]

BAD_GEOMETRIES = [
    ("no type", {"coordinates": IN_MONTPELLIER}),
    ("unknown type", {"type": "Circle", "coordinates": IN_MONTPELLIER}),
    ("empty point", {"type": "Point", "coordinates": []}),
    ("empty polygon", {"type": "Polygon", "coordinates": []}),
    ("one number", {"type": "Point", "coordinates": [3.87]}),
    ("strings", {"type": "Point", "coordinates": ["3.87", "43.61"]}),
    ("null coordinates", {"type": "Point", "coordinates": None}),
    ("longitude out of range", {"type": "Point", "coordinates": [190.0, 43.6]}),
    ("latitude out of range", {"type": "Point", "coordinates": [3.87, -91.0]}),
    ("huge number", {"type": "Point", "coordinates": [1e308, 1e308]}),
    ("self-intersecting", {"type": "Polygon", "coordinates": BOWTIE}),
    ("unclosed ring", {"type": "Polygon", "coordinates": [BOWTIE[0][:4]]}),
    ("collection", {"type": "GeometryCollection", "geometries": []}),
    (
        "too many vertices",
        {
            "type": "LineString",
            "coordinates": [[3.8 + i * 1e-6, 43.6] for i in range(6000)],
        },
    ),
    ("not an object", "POINT(3.87 43.61)"),
]
THREE_D = {"type": "Point", "coordinates": [3.8767, 43.6108, 57.3]}
# JSON text that Python's json would read but JSON does not allow.
NON_FINITE_POINTS = [
    ("nan", '{"type": "Point", "coordinates": [NaN, 43.6]}'),
    ("infinity", '{"type": "Point", "coordinates": [3.87, Infinity]}'),
]

# --- files -----------------------------------------------------------------------------------


def png(size=(40, 30), color=(10, 120, 60)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps(size=(40, 30)):
    """A JPEG carrying EXIF (a GPS position and a camera name) that must not survive."""
    img = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (43.0, 36.0, 39.0), 3: "E", 4: (3.0, 52.0, 36.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _png_chunk(kind, data):
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(side=30000):
    """A valid, tiny PNG header claiming side × side pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3 * 16
    data = zlib.compress(row * 16, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data)


SVG_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.domain)</script><rect width='10' height='10'/></svg>"
)
HTML_AS_IMAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def bad_images():
    """(name, bytes) that every picture upload must refuse."""
    whole = png()
    return [
        ("empty", b""),
        ("text", b"just some text, not a picture"),
        ("html", HTML_AS_IMAGE),
        ("svg with script", SVG_SCRIPT),
        ("gif", GIF),
        ("truncated png", whole[: len(whole) // 2]),
        ("png signature only", b"\x89PNG\r\n\x1a\n"),
        ("decompression bomb", png_bomb()),
        ("pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
    ]


TRAVERSAL_NAMES = [
    ("dot dot", "../../../etc/passwd"),
    ("windows", "..\\..\\windows\\win.ini"),
    ("absolute", "/etc/cron.d/evil"),
    ("nul byte", "evil.geojson\x00.png"),
    ("quote and newline", 'a"\r\nX-Evil: 1.geojson'),
]
