"""JSON_FORMAT.md is enough for a third party: its minimal verifier, run as written, accepts
the exports and rejects edited ones."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import ebr.export
from ebr.export.json_export import export_document, export_json
from ebr.export.record import BatchRecord

DOC = Path(ebr.export.__file__).with_name("JSON_FORMAT.md")


@pytest.fixture(scope="module")
def third_party_verify() -> Callable[[bytes], bool]:
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert code is not None
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    verify = namespace["verify"]
    assert callable(verify)

    def run(data: bytes) -> bool:
        try:
            return bool(verify(data))
        except (AssertionError, KeyError):
            return False

    return run


def test_the_documented_verifier_accepts_exports(
    any_record: BatchRecord, third_party_verify: Callable[[bytes], bool]
) -> None:
    assert third_party_verify(export_json(any_record))


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["audit_events"][2].update(user_id="someone.else"),
        lambda d: d["audit_events"].pop(4),
        lambda d: d["records"][3]["content"].update(uid="x"),
        lambda d: d["batch_record"]["consumptions"][0].update(net="60.61"),
        lambda d: d["header"].update(status="completed"),
    ],
)
def test_the_documented_verifier_rejects_edits(
    refusals: BatchRecord,
    third_party_verify: Callable[[bytes], bool],
    edit: Callable[[dict[str, object]], object],
) -> None:
    document = export_document(refusals)
    edit(document)
    assert not third_party_verify(json.dumps(document).encode())


def test_the_document_names_every_step() -> None:
    text = DOC.read_text(encoding="utf-8")
    for words in (
        "Parse.",
        "Events.",
        "Records.",
        "Signatures.",
        "Summary.",
        "Seal.",
        "Readable.",
        "no secret",
    ):
        assert words in text
