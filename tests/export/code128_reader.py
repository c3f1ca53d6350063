"""Reads a Code 128 / GS1-128 module string back to its data: an independent check of the bars.

The 107 bar/space patterns are generated here from their widths (ISO/IEC 15417 table), not
taken from the encoder under test.
"""

from __future__ import annotations

# Widths (bar, space, bar, space, bar, space) of code values 0..106 (106 = stop, 7 elements).
_WIDTHS = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 "
    "122132 122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 "
    "321221 312212 322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 "
    "211313 231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 "
    "213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 111422 "
    "121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 "
    "241112 134111 111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 "
    "412121 111143 111341 131141 114113 114311 411113 411311 113141 114131 311141 411131 211412 "
    "211214 211232 2331112"
).split()


def _pattern(widths: str) -> str:
    out, bar = "", True
    for w in widths:
        out += ("1" if bar else "0") * int(w)
        bar = not bar
    return out


_VALUES = {_pattern(w): v for v, w in enumerate(_WIDTHS[:106])}
_STOP = _pattern(_WIDTHS[106])
FNC1 = 102


def codewords(modules: str) -> list[int]:
    """Codewords of a symbol (start .. checksum), checksum verified; stop pattern checked."""
    if not modules.endswith(_STOP):
        raise ValueError("no stop pattern")
    body = modules[: -len(_STOP)]
    if len(body) % 11:
        raise ValueError("symbol length is not a whole number of symbol characters")
    words = [_VALUES[body[i : i + 11]] for i in range(0, len(body), 11)]
    check = (words[0] + sum(i * w for i, w in enumerate(words[1:-1], start=1))) % 103
    if check != words[-1]:
        raise ValueError(f"checksum {words[-1]} where {check} was expected")
    return words


def read(modules: str) -> tuple[bool, str]:
    """(GS1?, data): data with FNC1 after the first written as GS, as a scanner transmits it."""
    words = codewords(modules)[:-1]
    start = {103: "A", 104: "B", 105: "C"}[words[0]]
    code_set = start
    gs1 = len(words) > 1 and words[1] == FNC1
    out = ""
    for word in words[2 if gs1 else 1 :]:
        if word == FNC1:
            out += "\x1d"
        elif code_set == "C":
            if word == 100:
                code_set = "B"
            elif word == 101:
                code_set = "A"
            else:
                out += f"{word:02d}"
        elif word == 99:
            code_set = "C"
        elif word == 100 and code_set == "A":
            code_set = "B"
        elif word == 101 and code_set == "B":
            code_set = "A"
        elif code_set == "B":
            out += chr(word + 32)
        else:
            out += chr(word + 32) if word < 64 else chr(word - 64)
    return gs1, out
