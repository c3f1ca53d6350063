"""The hand-built records are what the scripts describe, with a valid audit chain."""

from __future__ import annotations

import itertools
from decimal import Decimal

from ebr import chain
from ebr.export.record import BatchRecord, find_exceptions


def test_happy_path_matches_the_script(happy: BatchRecord) -> None:
    steps = [s for _, s in happy.steps()]
    assert len(steps) == 16  # the recipe's steps (3 + 7 + 6)
    assert all(s.status == "done" for s in steps)
    assert len([c for c in happy.consumptions if c.accepted]) == 4
    assert len(happy.measurements) == 3
    step_signatures = [s for s in happy.signatures if s.step_id]
    assert [s.step_id for s in step_signatures] == ["OP10.S30", "OP20.S70", "OP30.S60"]
    assert len(happy.signatures) == 4  # and the QA review's
    assert [c.net for c in happy.consumptions] == [
        Decimal("60.02"),
        Decimal("47.85"),
        Decimal("3.6190"),
        Decimal("2.4175"),
    ]
    assert happy.header.status == "completed"
    assert find_exceptions(happy).none


def test_refusals_match_the_script(refusals: BatchRecord) -> None:
    codes = [r.reason_code for r in refusals.refusals]
    assert codes == [
        "independent_signer_required",
        "signature_invalid",
        "equipment_calibration_due",
        "lot_quarantined",
        "weight_out_of_tolerance",
    ]
    weighings = [(c.net, c.accepted) for c in refusals.consumptions]
    assert weighings == [(Decimal("60.60"), False), (Decimal("59.96"), True)]
    assert refusals.header.status == "in_progress"


def test_every_fixture_chain_is_valid(any_record: BatchRecord) -> None:
    events = any_record.events
    assert [e["stream_seq"] for e in events] == list(range(1, len(events) + 1))
    assert any(b["seq"] - a["seq"] > 1 for a, b in itertools.pairwise(events))  # other streams interleave
    records = {(r.table, r.uid): r.content for r in any_record.records}
    for previous, event in zip((None, *events), events, strict=False):
        assert chain.event_hash(event) == event["hash"]
        if previous is not None and event["seq"] == previous["seq"] + 1:
            assert event["prev_hash"] == previous["hash"]
        if event["record_table"]:
            assert (
                chain.record_hash(records[(event["record_table"], event["record_uid"])])
                == event["record_hash"]
            )
