"""PDF export, end to end, of batches whose free-text fields are as long as the station takes.

Records batches through the real engine in which every deviation text, hold reason and
supervisor's reason is the longest the station accepts (``MAX_FREE_TEXT``: 4,000 characters),
half of them one unbroken word (a pasted hash) and half prose, then exports each batch's PDF.
The batches differ in how many such texts they hold (20 to 320): the seconds per kilobyte of
free text stay flat when the export is linear in the text.

    .venv/bin/python benchmarks/bench_pdf_free_text.py
"""

from __future__ import annotations

import random
import resource
import string
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    from station.composition import build_engine, open_store
    from station.engine import api
    from station.engine.deviations import MAX_FREE_TEXT
    from station.exports import export_batch
    from tests.engine_batches import PASSWORDS, build_template, copy_of, happy_path

    folder = Path(tempfile.mkdtemp(prefix="mes-bench-pdf-text-"))
    template = build_template(folder / "template.db")
    rnd = random.Random(11)

    def text(n: int) -> str:
        word = "".join(rnd.choices(string.ascii_letters + string.digits, k=MAX_FREE_TEXT))
        return (
            word if n % 2 else " ".join(word[i : i + 9] for i in range(0, MAX_FREE_TEXT, 10))[:MAX_FREE_TEXT]
        )

    print(f"{'texts':>6} {'free text KB':>13} {'pages':>6} {'PDF s':>7} {'ms/KB':>7} {'PDF MB':>7}")
    for count in (20, 80, 320):
        url = copy_of(template, folder, f"b{count}.db")
        engine = build_engine(url)
        batch = f"B-TEXT-{count}"
        actions = happy_path("OP20.S10", batch_id=batch)[:-1]
        total = 0
        for action in actions:
            assert engine.dispatch(action).status == "done", action
        for n in range(count // 2):
            deviation = text(n)
            assert engine.dispatch(api.RaiseDeviation("other", deviation, "OP20.S10")).status == "done"
            reason = text(n + 1)
            ack = engine.dispatch(api.Override("OP20.S10", "sv.haddad", PASSWORDS["sv.haddad"], reason))
            assert ack.status == "done", ack.message
            total += len(deviation) + len(reason)
        engine.close()
        db = open_store(url)
        started = time.perf_counter()
        pdf = export_batch(db, batch, "pdf", printed_by="qa.berg")
        took = time.perf_counter() - started
        db.dispose()
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        kb = total / 1024
        print(
            f"{count:>6} {kb:>13.0f} {pages:>6} {took:>7.2f} {1000 * took / kb:>7.2f} {len(pdf) / 1e6:>7.1f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
