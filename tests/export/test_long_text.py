"""Any batch record can be printed: a long unbroken text wraps whole (benchmarks/bench_pdf_text.py
shows the time is linear in its length)."""

from __future__ import annotations

import random
import string

import pytest

from ebr.export._pdfgrid import BOLD, MONO, REGULAR, text_width, wrap


@pytest.mark.parametrize("font", [REGULAR, BOLD, MONO])
def test_a_megabyte_without_a_space_wraps_quickly_and_whole(font: str) -> None:
    word = "".join(random.Random(7).choices(string.ascii_letters + string.digits, k=1_000_000))
    lines = wrap(word, font, 8, 120)  # the quadratic break took hours (the suite's timeout stops it)
    assert "".join(lines) == word
    assert all(text_width(line, font, 8) <= 120 for line in lines)


def test_long_words_break_after_a_separator_where_one_fits() -> None:
    lines = wrap("sha256:" + "a" * 40 + "/path/to/a/file-name_with.parts", REGULAR, 8, 60)
    assert "".join(lines) == "sha256:" + "a" * 40 + "/path/to/a/file-name_with.parts"
    assert all(text_width(line, REGULAR, 8) <= 60 for line in lines)
    assert any(line.endswith(("/", "-", "_", ".", ":")) for line in lines[:-1])


def test_short_text_is_left_as_it_is() -> None:
    assert wrap("Powder spilled at bay 1", REGULAR, 8, 400) == ["Powder spilled at bay 1"]
    assert wrap("one two three", REGULAR, 8, text_width("one two", REGULAR, 8)) == ["one two", "three"]
