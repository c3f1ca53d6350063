"""The master-data delta's form on its own: the document gives back exactly the values the hub
imported (no initial passwords), the signature covers the body's every byte, a page of deltas
is taken only whole and without a gap, and a central deviation number only as the hub signed it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ebr.hub.deviations import CentralNumber, NumberInvalid, signed_text_of
from ebr.master_seal import BY_NAME
from ebr.masterdata import _values
from ebr.site_file import read_site_file, read_site_text
from ebr.sync import masterdelta
from ebr.sync.masterpull import DeltaRefused, check_page
from ebr.sync.receipts import key_id

SITE = Path(__file__).resolve().parents[1] / "data" / "masterdata" / "site.yaml"
KEY = Ed25519PrivateKey.generate()


def _entity(kind: str, item: object) -> str:
    return BY_NAME[kind].entity_of(_values(kind, item))


def _delta(version: int, document: str = "lots: []\n") -> masterdelta.Delta:
    return masterdelta.Delta(
        version=version, signed_at="2026-12-04T10:00:00.000000Z", signer_id="qa.berg", signer_name="Anders Berg",
        signer_roles=("qa",), source_file="site.yaml", source_sha256="0" * 64, changes=(), document=document,
        password_hashes={}, key_id=key_id(KEY.public_key()),
    )  # fmt: skip


def _signed(delta: masterdelta.Delta, key: Ed25519PrivateKey = KEY) -> dict[str, object]:
    body = delta.body()
    return {"version": delta.version, "body": body, "signature": masterdelta.sign(key, body)}


def test_the_document_reads_back_as_imported_without_initial_passwords() -> None:
    read = read_site_file(SITE)
    everything = {kind: {_entity(kind, i) for i in getattr(read.site, section)}
                  for kind, section in masterdelta.SECTIONS.items()}  # fmt: skip
    text = masterdelta.site_yaml(read.site, everything, _entity)
    assert "initial_password" not in text
    back = read_site_text(text, "delta.yaml").site
    without = [u.model_copy(update={"initial_password": None}) for u in read.site.users]
    assert back == read.site.model_copy(update={"users": without})
    # Only what changed: one lot.
    one = masterdelta.site_yaml(read.site, {"lot": {"RM-0101/P24-0502"}}, _entity)
    only = read_site_text(one, "delta.yaml").site
    assert [(lot.lot, lot.status) for lot in only.lots] == [("P24-0502", "quarantined")] and not only.users


def test_the_signature_covers_every_byte_and_names_the_pinned_key() -> None:
    item = _signed(_delta(1))
    assert masterdelta.verified(item["body"], item["signature"], KEY.public_key()).signer_id == "qa.berg"
    body = str(item["body"])
    for at in (0, len(body) // 2, len(body) - 1):
        flipped = body[:at] + chr(ord(body[at]) ^ 1) + body[at + 1 :]
        with pytest.raises(masterdelta.DeltaInvalid, match="signature"):
            masterdelta.verified(flipped, item["signature"], KEY.public_key())
    other = Ed25519PrivateKey.generate()  # a hub with another key
    forged = _signed(_delta(1), other)
    with pytest.raises(masterdelta.DeltaInvalid, match="signature"):
        masterdelta.verified(forged["body"], forged["signature"], KEY.public_key())
    with pytest.raises(masterdelta.DeltaInvalid):
        masterdelta.verified(None, "x", KEY.public_key())
    junk = "not json"
    with pytest.raises(masterdelta.DeltaInvalid, match="malformed"):
        masterdelta.verified(junk, masterdelta.sign(KEY, junk), KEY.public_key())


def test_a_page_is_taken_whole_and_without_a_gap() -> None:
    assert [
        d.version for d, _ in check_page([_signed(_delta(3)), _signed(_delta(4))], 2, KEY.public_key())
    ] == [3, 4]
    with pytest.raises(DeltaRefused) as gap:
        check_page([_signed(_delta(3)), _signed(_delta(5))], 2, KEY.public_key())
    assert gap.value.alarm == "delta_gap" and "version is missing" in str(gap.value)
    with pytest.raises(DeltaRefused) as skipped:
        check_page([_signed(_delta(4))], 2, KEY.public_key())
    assert skipped.value.alarm == "delta_gap"
    bad = _signed(_delta(3))
    bad["signature"] = base64.b64encode(bytes(64)).decode()
    with pytest.raises(DeltaRefused) as invalid:
        check_page([bad], 2, KEY.public_key())
    assert invalid.value.alarm == "delta_invalid"
    with pytest.raises(DeltaRefused):
        check_page({"deltas": []}, 2, KEY.public_key())


def test_a_central_number_holds_only_as_the_hub_signed_it() -> None:
    text = signed_text_of("c", 7, "dev-uid", "DEV-2026-000001")
    good = CentralNumber("c", 7, "dev-uid", "DEV-2026-000001", key_id(KEY.public_key()),
                         base64.b64encode(KEY.sign(text)).decode())  # fmt: skip
    good.check(KEY.public_key())
    with pytest.raises(NumberInvalid, match="signature"):
        CentralNumber("c", 7, "dev-uid", "DEV-2026-000002", good.key_id, good.signature).check(
            KEY.public_key()
        )
    with pytest.raises(NumberInvalid, match="pinned"):
        good.check(Ed25519PrivateKey.generate().public_key())
    with pytest.raises(NumberInvalid):
        CentralNumber.from_json({"chain_id": "c", "seq": "7"})


def test_awkward_text_reads_back_as_it_was() -> None:
    names = ["Yes", "null", "True", "Tris: buffer, 1 M #2", "2030-01-01", "12", "Ünïcode-Salz", 'say "x"',
             "a\\b", "tab\u00a0space", "Ltd.", "NaN", "x [1] {2}", "e10", "- dash", "trailing "]  # fmt: skip
    source = "materials:\n" + "".join(
        f"  - {{code: M{i}, name: {json.dumps(n)}}}\n" for i, n in enumerate(names)
    )
    site = read_site_text(source, "awkward.yaml").site  # (a line break in a name is refused)
    assert [m.name for m in site.materials] == names
    keep = {"material": {f"M{i}" for i in range(len(names))}}
    back = read_site_text(masterdelta.site_yaml(site, keep, _entity), "delta.yaml").site
    assert back == site
