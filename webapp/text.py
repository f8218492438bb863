"""Text from people, made harmless in one place: Unicode normalised (NFC), invisible
characters that could spoof a name removed, direction overrides found.

Decisions (see SECURITY.md):
- Every one-line text (names, titles, team names…) goes through `one_line`: NFC, so "Zoë"
  typed with a combining diaeresis and with a precomposed ë is one name; zero-width spaces,
  word joiners, byte-order marks and direction overrides/isolates are removed, whitespace
  collapsed. Zero-width joiner and non-joiner (U+200D, U+200C) are kept: Persian, Indic
  scripts and emoji need them. Left-to-right and right-to-left marks (U+200E, U+200F) are
  kept: they are how bidirectional text is typed correctly and cannot reorder a string.
- Requests carrying a direction override or isolate (U+202A-U+202E, U+2066-U+2069) in any
  field are refused before any view runs (webapp.inputs): those characters reorder what
  follows them ("gpj.exe" shown as "exe.jpg") and have no use in text typed in a form.
"""

import re
import unicodedata

# Embedding, override and isolate controls: they reorder the text that follows them.
DIRECTION_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters with no place in a name: zero-width space, word joiner, invisible
# operators, byte-order mark / zero-width no-break space, Mongolian vowel separator, soft hyphen.
INVISIBLE = frozenset("\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad")

_STRIP = re.compile("[" + "".join(sorted(DIRECTION_OVERRIDES | INVISIBLE)) + "]")
_OVERRIDE = re.compile("[" + "".join(sorted(DIRECTION_OVERRIDES)) + "]")


def has_direction_override(text):
    return bool(text) and _OVERRIDE.search(text) is not None


def normalise(text):
    """NFC, without direction overrides or invisible characters (multi-line text keeps its lines)."""
    if not text:
        return text
    return _STRIP.sub("", unicodedata.normalize("NFC", text))


def one_line(text):
    """A name or title: normalised, on one line, single spaces, no leading or trailing space."""
    return " ".join(normalise(str(text or "")).split())
