"""Master-data import: site.yaml as it is, idempotence, audited changes, located errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ebr_testing import SITE_YAML
from sqlalchemy import select, text

import ebr.masterdata
from ebr import events as ev
from ebr.database import Database
from ebr.masterdata import (
    BOOTSTRAP,
    Importer,
    MasterDataInvalid,
    gtin_valid,
    import_master_data,
    prepare,
    read_all,
    read_site_file,
)
from ebr.models import AuditEvent, User
from ebr.site_file import MAX_SITE_FILE_BYTES
from ebr.verify import verify

#: A QA person importing: lot status is QA's, the rest of this master data QA's or an admin's.
QA = Importer("qa.dubois", frozenset({"qa"}))


def _events(db: Database) -> list[AuditEvent]:
    with db.unit_of_work(read_only=True) as uow:
        rows = list(uow.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        uow.session.expunge_all()
        return rows


def test_import_site_yaml(db: Database) -> None:
    with db.unit_of_work() as uow:
        report = import_master_data(uow, SITE_YAML, BOOTSTRAP)
        uow.commit()
    assert (report.added, report.changed, report.unchanged) == (50, 0, 0)
    assert report.sha256 == hashlib.sha256(SITE_YAML.read_bytes()).hexdigest()
    events = _events(db)
    assert len(events) == 50
    assert {e.action for e in events} >= {"master.lot.added", "master.user.added", "master.equipment.added"}
    assert all(report.sha256 in (e.reason or "") for e in events)
    with db.unit_of_work(read_only=True) as uow:
        alvarez = uow.user("B100234")
        assert alvarez is not None and alvarez.id == "op.alvarez" and alvarez.must_change_password
        assert uow.user("sv.nowak") is not None and uow.user("sv.nowak").roles == ("operator", "supervisor")  # type: ignore[union-attr]
        training = uow.training_of("op.chen")
        assert [(t.document, t.revision) for t in training] == [
            ("SOP-DISP-003", 6), ("SOP-GRAN-012", 4), ("SOP-LC-001", 2)]  # fmt: skip
        assert uow.document("SOP-DISP-003").revision == 7  # type: ignore[union-attr]
        assert uow.material_by_gtin("04012345000108").code == "RM-0101"  # type: ignore[union-attr]
        lot = uow.lot("RM-0101", "P24-0502")
        assert lot is not None and lot.status == "quarantined" and lot.expiry == dt.date(2030, 5, 31)
        assert [x.material for x in uow.lots_by_id("K23-0901")] == ["RM-0303"]
        scale = uow.equipment("SCL-006-01")
        assert scale is not None and scale.scale_capacity is not None
        assert scale.scale_readability == Decimal("0.0001") and scale.scale_unit == "kg"
        assert scale.clean_until == dt.datetime(2030, 12, 31, tzinfo=dt.UTC)
        granulator = uow.equipment("GRN-02")
        assert (
            granulator is not None
            and granulator.scale_capacity is None
            and granulator.daily_check_until is None
        )
        # Initial passwords: argon2id hashes only, never the password itself.
        hashes = uow.session.scalars(select(User.password_hash)).all()
        assert all(h and h.startswith("$argon2id$") for h in hashes)
    with db.engine.connect() as connection:
        dump = " ".join(str(v) for row in connection.execute(text("SELECT * FROM audit_events")) for v in row)
        dump += " ".join(str(v) for row in connection.execute(text("SELECT * FROM users")) for v in row)
    assert "Granul8" not in dump and "Rev1ew" not in dump
    assert verify(db).ok


def test_import_twice_changes_nothing(site_db: Database) -> None:
    before = len(_events(site_db))
    with site_db.unit_of_work() as uow:
        report = import_master_data(uow, SITE_YAML, QA)
        uow.commit()
    assert (report.added, report.changed, report.unchanged) == (0, 0, 50)
    assert len(_events(site_db)) == before


def test_changed_values_are_audited_with_old_and_new(site_db: Database, tmp_path: Path) -> None:
    source = SITE_YAML.read_text(encoding="utf-8")
    changed = source.replace(
        "{material: RM-0101, lot: P24-0502, status: quarantined,",
        "{material: RM-0101, lot: P24-0502, status: released,",
    ).replace("calibrated_until: 2026-10-31,", "calibrated_until: 2027-10-31,")
    assert changed != source
    path = tmp_path / "site.yaml"
    path.write_text(changed, encoding="utf-8")
    before = len(_events(site_db))
    with site_db.unit_of_work() as uow:
        report = import_master_data(uow, path, QA)
        uow.commit()
    assert (report.added, report.changed, report.unchanged) == (0, 2, 48)
    new = _events(site_db)[before:]
    assert [e.action for e in new] == ["master.lot.changed", "master.equipment.changed"]
    lot_event, equipment_event = new
    assert lot_event.entity_id == "RM-0101/P24-0502"
    assert json.loads(lot_event.old_value or "") == {"status": "quarantined"}
    released = json.loads(lot_event.new_value or "")
    assert len(released.pop("seal")) == 64  # the row sealed as it now stands (tests/ebr/test_master_seal.py)
    assert released == {"status": "released"}
    assert hashlib.sha256(changed.encode()).hexdigest() in (lot_event.reason or "")
    assert json.loads(equipment_event.old_value or "") == {"calibrated_until": "2026-10-31"}
    with site_db.unit_of_work(read_only=True) as uow:
        assert uow.lot("RM-0101", "P24-0502").status == "released"  # type: ignore[union-attr]
        assert uow.equipment("SCL-150-02").calibrated_until == dt.date(2027, 10, 31)  # type: ignore[union-attr]
    assert verify(site_db).ok


def test_reimport_keeps_passwords(site_sqlite: Database) -> None:
    with site_sqlite.unit_of_work(read_only=True) as uow:
        before = uow.session.scalars(select(User.password_hash).where(User.id == "op.chen")).one()
    with site_sqlite.unit_of_work() as uow:
        import_master_data(uow, SITE_YAML, QA)
        uow.commit()
    with site_sqlite.unit_of_work(read_only=True) as uow:
        assert uow.session.scalars(select(User.password_hash).where(User.id == "op.chen")).one() == before


MALFORMED = """\
documents:
  - {code: SOP-1, revision: 0, title: X}
users:
  - {id: u1, name: A, roles: [operator, wizard], badge: 123}
  - {id: u2, name: B, roles: [qa], colour: blue}
lots:
  - {material: M2, lot: L1, status: released_maybe, expiry: 2030-01-01}
equipment:
  - {id: E1, class: C, name: N, status: in_service, clean_until: 2030-01-01T00:00:00}
"""

CROSS = """\
documents:
  - {code: SOP-1, revision: 1, title: X}
users:
  - {id: u1, name: A, roles: [operator], badge: B1}
  - {id: u1, name: B, roles: [qa], badge: B1}
training:
  - {user: u9, document: SOP-9, revision: 1, trained_on: 2026-01-01}
materials:
  - {code: M1, name: X, gtin: "04012345000109"}
lots:
  - {material: M2, lot: L1, status: released, expiry: 2030-01-01, retest: 2031-01-01}
"""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            MALFORMED,
            [
                "bad.yaml:2: documents[0].revision: Input should be greater than or equal to 1",
                "bad.yaml:4: users[0].badge: must be text, not int",
                "bad.yaml:4: users[0].roles[1]: Input should be 'operator', 'supervisor', 'qa' or 'admin'",
                "bad.yaml:5: users[1].colour: Extra inputs are not permitted",
                "bad.yaml:7: lots[0].status: Input should be 'released', 'quarantined' or 'rejected'",
                "bad.yaml:9: equipment[0].clean_until: Input should have timezone info",
            ],
        ),
        (
            CROSS,
            [
                "bad.yaml:5: users[1].badge: badge B1 already at users[0]",
                "bad.yaml:5: users[1].id: user u1 already at users[0]",
                "bad.yaml:7: training[0].document: unknown document SOP-9",
                "bad.yaml:7: training[0].user: unknown user u9",
                "bad.yaml:9: materials[0].gtin: GTIN 04012345000109 has a wrong check digit",
                "bad.yaml:11: lots[0].material: unknown material M2",
                "bad.yaml:11: lots[0].retest: the retest date is after the expiry date",
            ],
        ),
        ("users: [\n  {id: u1, name: [}\n", None),
    ],
)
def test_malformed_file_gives_located_messages(
    sqlite_db: Database, tmp_path: Path, content: str, expected: list[str] | None
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with sqlite_db.unit_of_work() as uow, pytest.raises(MasterDataInvalid) as info:
        import_master_data(uow, path, BOOTSTRAP)
    lines = [line.replace(str(tmp_path) + "/", "") for line in str(info.value).splitlines()]
    if expected is None:
        assert lines == [
            "bad.yaml:2: document: YAML syntax error: expected the node content, but found '}' (column 19)"
        ]
    else:
        assert lines == expected
    assert _events(sqlite_db) == []


LOOK_ALIKE = (
    "documents:\n"
    "  - {code: SOP-\u200b1, revision: 1, title: Zero width}\n"
    "users:\n"
    '  - {id: "op.\u043e\u043aafor", name: Homoglyph, roles: [operator]}\n'
    "  - {id: " + "x" * 100_000 + ", name: Long, roles: [operator]}\n"
    '  - {id: op.ok, name: "Okafor\\u202e", roles: [operator]}\n'
    "materials:\n"
    "  - {code: RM-1, name: M}\n"
    "lots:\n"
    '  - {material: RM-1, lot: "L 2611 \u00e9", status: released, expiry: 2030-01-01}\n'
    "  - {material: RM-1, lot: L-123456789012345678901, status: released, expiry: 2030-01-01}\n"
    "equipment:\n"
    '  - {id: "SC\u041b-1", class: SCALE, name: S, status: in_service}\n'
)


def test_look_alike_and_oversized_identifiers_are_refused(sqlite_db: Database, tmp_path: Path) -> None:
    """Ids follow the recipes' identifier pattern; lot numbers GS1 AI (10); names have no
    invisible characters: what the record names is what a person reads."""
    path = tmp_path / "bad.yaml"
    path.write_text(LOOK_ALIKE, encoding="utf-8")
    with pytest.raises(MasterDataInvalid) as info:
        read_site_file(path)
    lines = [line.replace(str(tmp_path) + "/", "") for line in str(info.value).splitlines()]
    assert lines == [
        "bad.yaml:2: documents[0].code: the id 'SOP-\\u200b1' holds zero width space (U+200B): "
        "only A-Z, a-z, 0-9, '.', '_' and '-'",
        "bad.yaml:4: users[0].id: the id 'op.\\u043e\\u043aafor' holds cyrillic small letter o "
        "(U+043E): only A-Z, a-z, 0-9, '.', '_' and '-'",
        "bad.yaml:5: users[1].id: the id has 100,000 characters: at most 64",
        "bad.yaml:6: users[2].name: 'Okafor\\u202e' holds a control or invisible character",
        "bad.yaml:10: lots[0].lot: the lot number 'L 2611 \\xe9' holds U+0020: GS1 AI (10) "
        "allows no such character",
        "bad.yaml:11: lots[1].lot: a lot number has at most 20 characters (GS1 AI 10), not 23",
        "bad.yaml:13: equipment[0].id: the id 'SC\\u041b-1' holds cyrillic capital letter el "
        "(U+041B): only A-Z, a-z, 0-9, '.', '_' and '-'",
    ]
    assert _events(sqlite_db) == []


def test_gtin_check_digit() -> None:
    assert gtin_valid("04012345000108") and not gtin_valid("04012345000109")


def test_an_alias_bomb_is_refused_before_it_expands(sqlite_db: Database, tmp_path: Path) -> None:
    """A billion-laughs file: nine levels of nine aliases would be 387 million strings."""
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines.append("users: [*a9]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(MasterDataInvalid) as info:
        read_site_file(path)
    assert time.monotonic() - started < 2
    assert (
        str(info.value)
        .splitlines()[0]
        .endswith("anchors and aliases (& and *) are not allowed in a master-data file")
    )


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(MAX_SITE_FILE_BYTES + 1)  # sparse: nothing is written, nothing read
    with pytest.raises(MasterDataInvalid, match="a master-data file may have at most"):
        read_site_file(path)


def test_passwords_are_hashed_before_the_write_lock(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``prepare`` does the slow work (argon2 for each new user) holding no lock: another
    station records meanwhile."""
    hashing, release = threading.Event(), threading.Event()
    real = ebr.masterdata.hash_password

    def slow_hash(password: str) -> str:
        hashing.set()
        assert release.wait(10)
        return real(password)

    monkeypatch.setattr(ebr.masterdata, "hash_password", slow_hash)
    prepared: list[Any] = []
    worker = threading.Thread(target=lambda: prepared.extend(prepare(sqlite_db, read_all([SITE_YAML]))))
    worker.start()
    assert hashing.wait(10)
    with sqlite_db.unit_of_work() as uow:  # would wait for the lock if prepare held it
        uow.write(ev.LoginSucceeded(user="someone"), stream="site", user_id=None)
        uow.commit()
    release.set()
    worker.join(30)
    [read] = prepared
    assert set(read.password_hashes) == {u.id for u in read.site.users}
    monkeypatch.setattr(ebr.masterdata, "hash_password", lambda p: pytest.fail("hashed inside the lock"))
    with sqlite_db.unit_of_work() as uow:
        report = import_master_data(uow, read, BOOTSTRAP)
        uow.commit()
    assert report.added > 40
