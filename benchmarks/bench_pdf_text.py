"""PDF export of a batch whose free-text fields are long: the time is linear in the text.

Wraps texts of growing length without a space (a pasted hash, a scanner gone mad) and with
spaces (a long deviation description) in a PDF cell, and prints the seconds and the seconds per
kilobyte: linear wrapping keeps the second column flat. (Before, a 100 KB word took 9 s and
396 MB, and 5 MB grew past 24 GB.)

    .venv/bin/python benchmarks/bench_pdf_text.py
"""

from __future__ import annotations

import random
import resource
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ebr.export._pdfgrid import REGULAR, wrap


def main() -> int:
    rnd = random.Random(7)
    print(f"{'text':>28} {'KB':>8} {'s':>8} {'ms/KB':>8}")
    for kb in (10, 100, 1000, 5000):
        n = kb * 1024
        word = "".join(rnd.choices(string.ascii_letters + string.digits, k=n))
        prose = " ".join(word[i : i + 7] for i in range(0, n, 7))
        for name, text in (("one word", word), ("words of 7 letters", prose)):
            started = time.perf_counter()
            lines = wrap(text, REGULAR, 8, 260)
            took = time.perf_counter() - started
            assert "".join(lines).replace(" ", "") == text.replace(" ", "")
            print(f"{name:>28} {kb:>8} {took:>8.2f} {1000 * took / kb:>8.3f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
