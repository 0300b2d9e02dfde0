"""The one sanitiser for text that comes from AWS (names, tags, alias names, errors, log lines).

Anything AWS returns is attacker-influenced: a tag value or a log line can carry terminal
escape sequences (colour, cursor moves, OSC 52 clipboard writes, OSC 8 links), bidi overrides
that make `evil` read as `live`, or NULs and lone surrogates that crash an encoder. `clean_text`
turns such text into one printable line:

- escape sequences are removed whole, payload included: CSI (`ESC [ … final`), OSC
  (`ESC ] … BEL | ESC \\`), DCS / SOS / PM / APC strings, their 8-bit C1 forms, and any other
  `ESC x`; an unterminated string sequence swallows the rest of the text, as a terminal would;
- line breaks (CR LF, LF, CR, NEL, U+2028, U+2029) become `⏎`, so the text stays on one line and
  the reader still sees where the break was; TAB and other space separators become a plain space;
- every remaining control character is dropped: C0, DEL, C1, NUL;
- format characters (category Cf) are dropped: bidi embeddings, overrides, isolates and marks,
  zero-width space, word joiner, BOM, soft hyphen, invisible tag characters. ZWJ / ZWNJ survive
  only between two non-ASCII characters (emoji sequences, Persian, Indic scripts), where they are
  meaningful; next to ASCII they only serve to make two different names look the same;
- lone surrogates become U+FFFD;
- Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), letters that draw nothing, are dropped: they
  only serve to make a name look empty or like another;
- a run of more than two combining marks on one character ("Zalgo" text, which draws over the
  rows above and below) is cut to two.

Rich markup (`[bold red]`) and emoji codes (`:fire:`) are *not* touched: they are harmless as long
as the text is put into `rich.text.Text` / Textual `Content` objects, never into markup strings.
Every caller must do that.
"""

from __future__ import annotations

import re
import unicodedata

NEWLINE_MARK = "⏎"
ELLIPSIS = "…"

# One alternation, tried left to right at each position, so `ESC [` is a CSI and not "ESC + '['".
_ESCAPE_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?           # CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|\Z)  # OSC, DCS, SOS, PM, APC
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                                    # any other ESC sequence
    """,
    re.VERBOSE | re.DOTALL,
)
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ
_BLANK_LETTERS = re.compile("[\u115f\u1160\u3164\uffa0]")
# The combining-diacritics blocks; more than two marks on one base character is a pile
# (Vietnamese needs two at most).
_MARK = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_MARK_PILE = re.compile(f"({_MARK}{{2}}){_MARK}+")


def clean_text(s: str, *, max_len: int | None = None) -> str:
    """Return `s` as one line of printable text, safe to show in a terminal.

    `max_len` bounds the result in characters (code points); longer text ends in `…`.
    """
    if max_len is not None and max_len < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}")
    if not s.isprintable():  # fast path: plain names never get past this test
        s = _LINE_BREAK.sub(NEWLINE_MARK, _ESCAPE_SEQUENCE.sub("", s))
        s = "".join(_keep(s, i) for i in range(len(s)))
    if not s.isascii():
        s = _MARK_PILE.sub(r"\1", _BLANK_LETTERS.sub("", s))
    if max_len is not None and len(s) > max_len:
        s = s[: max_len - 1] + ELLIPSIS
    return s


def clean_lines(s: str, *, max_len: int | None = None) -> list[str]:
    """Split multi-line AWS text (a stack trace, a log message) into cleaned single lines."""
    s = _ESCAPE_SEQUENCE.sub("", s)
    return [clean_text(line, max_len=max_len) for line in _LINE_BREAK.split(s)]


def _keep(s: str, i: int) -> str:
    """What character `s[i]` becomes: itself, a space, U+FFFD or nothing."""
    ch = s[i]
    if ch.isprintable():
        return ch
    category = unicodedata.category(ch)
    if ch == "\t" or category == "Zs":
        return " "
    if category == "Cs":
        return "\ufffd"
    if category in ("Cc", "Zl", "Zp"):
        return ""
    if category == "Cf":
        if ch in _JOINERS and 0 < i < len(s) - 1 and not s[i - 1].isascii():
            return ch if not s[i + 1].isascii() else ""
        return ""
    return ch  # private use, unassigned (newer Unicode than this Python knows): shown as is
