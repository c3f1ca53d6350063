"""QA's site audit-trail page on a site stream of 100,000 events: opening the page and paging it.

    python benchmarks/bench_site_trail.py [--events 100000] [--pages 20]

A SQLite store with the reference master data, then N site events written through the normal
path (``UnitOfWork.write``, hash-chained; logins, failed logins and signatures, lockouts and
unlocks by the reference users, in runs of 1,000 a transaction). Then the page's model as the
touchscreen drives it (``station.ui.admin_calls.trail_page`` on the engine thread, then
``SiteTrailVM.show`` and the text of every line): the first page, paging back through older
pages and forward again, and filtered pages (one person, lockouts only, the last 24 hours).
For comparison, in the same run: reading the whole stream at once, as a page without paging
would. Prints one line per figure; the target is a page in well under the 100 ms of a tap.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ebr import events as ev  # noqa: E402
from ebr.audit import SITE_STREAM  # noqa: E402
from ebr.database import open_database  # noqa: E402
from ebr.masterdata import BOOTSTRAP, import_master_data  # noqa: E402
from ebr.migrate import upgrade  # noqa: E402
from station.ui.admin_calls import TrailQuery, trail_page  # noqa: E402
from station.ui.viewmodels.site_trail import SiteTrailVM  # noqa: E402

SITE = ROOT / "tests" / "data" / "masterdata" / "site.yaml"
USERS = ("op.alvarez", "op.chen", "op.okafor", "sv.nowak", "sv.haddad", "qa.dubois", "qa.berg")


def fill(url: str, count: int) -> float:
    db = open_database(url, create=True)
    upgrade(db)
    with db.unit_of_work() as uow:
        import_master_data(uow, SITE, BOOTSTRAP)
        uow.commit()
    started = time.perf_counter()
    written = 0
    while written < count:
        with db.unit_of_work() as uow:
            for i in range(min(1000, count - written)):
                n = written + i
                who = USERS[n % len(USERS)]
                if n % 500 == 499:
                    uow.write(ev.UserLocked(user="op.chen", note="5 consecutive failed attempts"),
                              stream=SITE_STREAM, user_id=None)  # fmt: skip
                elif n % 500 == 0:
                    uow.write(ev.UserUnlocked(user="op.chen", note="identity checked"), stream=SITE_STREAM,
                              user_id="sv.haddad")  # fmt: skip
                elif n % 7 == 3:
                    failed = ev.AuthenticationFailed(user=who, note="login_invalid: wrong password",
                                                     purpose="signature" if n % 2 else "login")  # fmt: skip
                    uow.write(failed, stream=SITE_STREAM, user_id=who)
                else:
                    uow.write(ev.LoginSucceeded(user=who), stream=SITE_STREAM, user_id=who)
            uow.commit()
        written += min(1000, count - written)
    seconds = time.perf_counter() - started
    db.dispose()
    return seconds


def ms(values: list[float]) -> str:
    values = sorted(values)
    return f"median {statistics.median(values) * 1000:.1f} ms, max {values[-1] * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'site.db'}"
        seconds = fill(url, args.events)
        print(
            f"filled {args.events:,} site events in {seconds:.1f} s ({args.events / seconds:,.0f} events/s)"
        )
        db = open_database(url)
        engine = SimpleNamespace(db=db, site_tz=ZoneInfo("Europe/Berlin"))
        vm = SiteTrailVM()

        def show(query: TrailQuery) -> float:
            t0 = time.perf_counter()
            page = trail_page(query)(engine)
            vm.show(page)
            for line in vm.lines:
                vm.describe(line)
            return time.perf_counter() - t0

        show(vm.first_page())  # the connection and the statements warm
        opened = [show(vm.first_page()) for _ in range(5)]
        print(f"open the page (newest 50): {ms(opened)}")
        older = []
        for _ in range(args.pages):
            query = vm.older()
            assert query is not None
            older.append(show(query))
        print(f"{args.pages} pages back (to page {vm.page}): {ms(older)}")
        newer = []
        while vm.page > 1:
            query = vm.newer()
            assert query is not None
            newer.append(show(query))
        print(f"{len(newer)} pages forward again: {ms(newer)}")
        for label, filters in (
            ("one person (op.okafor)", {"user": "op.okafor"}),
            ("lockouts only", {"kind": "lockouts"}),
            ("failed, last 24 hours", {"kind": "failed", "period": "day"}),
            ("everything, all time", {"kind": "all", "period": "all"}),
        ):
            vm = SiteTrailVM()
            vm.set_filters(**filters)  # type: ignore[arg-type]
            first = [show(vm.first_page()) for _ in range(5)]
            deep = []
            for _ in range(5):
                query = vm.older()
                if query is None:
                    break
                deep.append(show(query))
            print(f"filter {label}: first page {ms(first)}; next pages {ms(deep) if deep else '(one page)'}")
        t0 = time.perf_counter()
        with db.unit_of_work(read_only=True) as uow:
            everything = uow.trail(stream="site", limit=args.events * 2)
        whole = time.perf_counter() - t0
        print(
            f"same run, no paging: the whole stream ({len(everything):,} lines) read at once in {whole * 1000:.0f} ms"
        )
        db.dispose()


if __name__ == "__main__":
    main()
