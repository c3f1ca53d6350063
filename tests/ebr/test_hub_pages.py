"""The hub's QA pages, loaded by a real headless Chromium (Debian's ``chromium``) from a real hub
process over the test PostgreSQL: stations with lag and the hub's own verdict on each chain,
batches with status, exceptions and review verdict, a batch's page with its PDF, JSON and
BatchML made from the hub's copy, the deviations; markup a station wrote renders as text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hub_testing import HubProcess, cli, url_of
from sync_certs import Authority

from ebr.database import Database

pytestmark = pytest.mark.postgres
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE_BATCH = "<b>B26</b>&0009"  # no station takes such an id: pushed by a rogue station
HOSTILE_COMMENT = "<script>document.title='owned'</script><i>not italic</i> & done"


class _Tags(HTMLParser):
    """The elements of a page as a browser built them, and its text by element id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _browse(url: str, folder: Path, screenshot: str | None = None) -> tuple[_Tags, str]:
    """The DOM Chromium built from ``url`` (and a screenshot of it, when named)."""
    assert CHROMIUM is not None
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--user-data-dir={folder / 'chromium-profile'}", "--window-size=1400,1000"]  # fmt: skip
    dom = subprocess.run(
        [*base, "--dump-dom", url], capture_output=True, text=True, timeout=90, check=True
    ).stdout
    if screenshot:
        path = folder / screenshot
        subprocess.run([*base, f"--screenshot={path}", url], capture_output=True, timeout=90, check=True)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
        keep = os.environ.get("MES_HUB_SCREENSHOTS")  # to look at them after the run
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / screenshot)
    parsed = _Tags()
    parsed.feed(dom)
    return parsed, dom


def _second_batch(database: Database) -> None:
    """B26-0002, completed by the engine, rejected by QA with a comment that is markup."""
    from station import exports
    from station.engine.engine import Engine
    from tests.engine_batches import PASSWORDS, happy_path

    engine = Engine(database)
    for action in happy_path(batch_id="B26-0002"):
        outcome = engine.dispatch(action)
        assert outcome.status in ("done", "deviation"), (action, outcome.message)
    exports.review_batch(
        database, "B26-0002", approve=False, user="qa.berg", password=PASSWORDS["qa.berg"], comment=HOSTILE_COMMENT
    )  # fmt: skip


def _push_rogue_chain(hub: HubProcess) -> None:
    """STATION-X, with a certificate of the site CA, pushes a chain of its own whose hashes all
    hold: STATION-A's, with B26-0001 renamed to markup and every hash made again."""
    import uuid

    from ebr.chain import GENESIS, event_hash, record_hash

    (chain,) = hub.rows("SELECT chain_id FROM hub_chains")[0]
    rogue = str(uuid.uuid4())
    swaps = {"B26-0001": HOSTILE_BATCH, chain: rogue, "STATION-A": "STATION-X"}

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            for old, new in swaps.items():
                value = value.replace(old, new)
            return value
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    events, before = [], GENESIS
    for (body,) in hub.rows("SELECT body FROM hub_events WHERE chain_id = :c ORDER BY seq", c=chain):
        event = swap(json.loads(body))
        if event["record"] is not None:
            event["record_hash"] = record_hash(event["record"])
        event["prev_hash"] = before
        event["hash"] = before = event_hash(event)
        events.append(event)
    with httpx.Client(base_url=hub.url, verify=_context(hub, "STATION-X"), timeout=60) as client:
        for start in range(0, len(events), 1000):
            body = {"chain_id": rogue, "station_id": "STATION-X", "events": events[start : start + 1000]}
            answer = client.post(f"/v1/chains/{rogue}/events", json=body)
            assert answer.status_code == 200, answer.text


@pytest.fixture
def synced(
    pg_database_url: str, batch_sqlite: tuple[Database, dict[str, str]], tmp_path: Path
) -> Iterator[tuple[HubProcess, HubProcess, str, Path]]:
    """A station with two batches synced over mutual TLS to one hub process, and a second
    process over the same database serving plain HTTP (``--insecure``) for the browser."""
    if CHROMIUM is None:
        if os.environ.get("MES_REQUIRE_CHROMIUM") == "1":  # CI: packaging/dev.sh must have installed it
            pytest.fail("chromium required (MES_REQUIRE_CHROMIUM=1) but not installed")
        pytest.skip("Debian's chromium is not installed (packaging/dev.sh installs it for the tests)")
    database, _ = batch_sqlite
    _second_batch(database)
    url = url_of(database)
    database.dispose()
    pki = tmp_path / "pki"
    pki.mkdir()
    tls = HubProcess(pg_database_url, pki, Authority(pki)).start()
    demo = HubProcess(pg_database_url, pki, None, insecure=True)
    try:
        demo.start()
        config = tls.station_config("STATION-A", tmp_path)
        done = cli("sync", "--once", "--config", str(config), "--db", url)
        assert done.returncode == 0, done.stderr
        _push_rogue_chain(tls)
        yield tls, demo, url, config
    finally:
        demo.stop()
        tls.stop()


def test_the_qa_pages_in_a_real_browser(
    synced: tuple[HubProcess, HubProcess, str, Path], tmp_path: Path
) -> None:
    tls, demo, station_url, config = synced
    page, dom = _browse(demo.url + "/", tmp_path, "hub-overview.png")
    text = " ".join(page.text)
    assert "STATION-A" in text and "yes" in text  # the hub's copy of the chain verifies
    assert "B26-0001" in text and HOSTILE_BATCH in text  # the markup is the batch's name, as text
    assert "b" not in page.tags and "script" not in page.tags  # ... never an element
    assert "4 batches" in text and "STATION-X" in text
    # B26-0001: completed, one deviation acknowledged by an override, approved; the other rejected.
    assert "completed" in text and "approved" in text and "rejected" in text
    chain = tls.rows("SELECT chain_id FROM hub_chains WHERE station_id = 'STATION-A'")[0][0]

    rogue = tls.rows("SELECT chain_id FROM hub_chains WHERE station_id = 'STATION-X'")[0][0]
    page, dom = _browse(
        f"{demo.url}/batch?{urlencode({'chain': rogue, 'id': HOSTILE_BATCH})}", tmp_path, "hub-rogue.png"
    )
    assert HOSTILE_BATCH in " ".join(page.text) and "b" not in page.tags
    batch_url = f"{demo.url}/batch?{urlencode({'chain': chain, 'id': 'B26-0002'})}"
    page, dom = _browse(batch_url, tmp_path, "hub-batch-rejected.png")
    text = " ".join(page.text)
    assert HOSTILE_COMMENT in text and "script" not in page.tags and "i" not in page.tags
    assert "owned" not in dom.split("<title>")[1].split("</title>")[0]  # no script ran
    page, dom = _browse(
        f"{demo.url}/batch?{urlencode({'chain': chain, 'id': 'B26-0001'})}", tmp_path, "hub-batch.png"
    )
    text = " ".join(page.text)
    assert "Chain verified at the hub" in text and "PDF" in text and "BatchML" in text
    deviation = tls.rows("SELECT count(*) FROM hub_events WHERE action LIKE 'deviation%'")[0][0]
    assert deviation >= 1
    page, dom = _browse(demo.url + "/deviations", tmp_path, "hub-deviations.png")
    text = " ".join(page.text)
    assert "Local number" in text and "Central number" in text and "B26-0001" in text
    central = tls.rows(
        "SELECT year, id FROM hub_deviation_numbers n JOIN hub_chains c ON c.chain_id = n.chain_id "
        "WHERE c.station_id = 'STATION-A' ORDER BY id"
    )
    assert central, "the hub numbered no deviation"
    for year, number in central:  # each beside its local number, as the station shows it
        assert f"DEV-{year}-{number:06d}" in text, text

    # The exports, made from the hub's copy over mutual TLS, are the station's record.
    with httpx.Client(base_url=tls.url, verify=_context(tls, "QA-VIEWER"), timeout=60) as client:
        query = {"chain": chain, "id": "B26-0001"}
        made = {
            fmt: client.get("/export", params={**query, "format": fmt}) for fmt in ("pdf", "json", "batchml")
        }
        assert all(r.status_code == 200 for r in made.values()), {k: r.text[:200] for k, r in made.items()}
        assert made["pdf"].content.startswith(b"%PDF")
        assert client.get("/export", params={**query, "format": "docx"}).status_code == 400
        assert client.get("/batch", params={"chain": chain, "id": "NO-SUCH"}).status_code == 404
        assert client.get("/batch").status_code == 400
    pdf = tmp_path / "hub.pdf"
    pdf.write_bytes(made["pdf"].content)
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "B26-0001" in words and "QA-VIEWER" in words
    from ebr.export.batchml import validate_batchml

    assert validate_batchml(made["batchml"].content) == []
    hub_json = tmp_path / "hub.json"
    hub_json.write_bytes(made["json"].content)
    checked = cli("ebr", "verify", "--file", str(hub_json), config=config)  # the hub's receipt, pinned key
    assert checked.returncode == 0, checked.stdout + checked.stderr
    ours = tmp_path / "station.json"
    exported = cli("ebr", "export", "B26-0001", "--format", "json", "-o", str(ours), "--db", station_url)
    assert exported.returncode == 0, exported.stderr
    theirs, mine = json.loads(hub_json.read_text()), json.loads(ours.read_text())
    for part in ("audit_events", "records", "batch_record"):  # event for event, record for record
        assert theirs[part] and theirs[part] == mine[part], part
    assert theirs["batch_record"]["exceptions"]["count"] == 3
    same_header = ("batch_id", "status", "started_by", "recipe_approved_by", "chain_verified")
    assert {k: theirs["header"][k] for k in same_header} == {k: mine["header"][k] for k in same_header}
    assert theirs["header"]["audit_trail"]["hub_receipt"] == mine["header"]["audit_trail"]["hub_receipt"]

    # Someone edits the hub's copy behind its back: the overview says the chain no longer holds.
    from sqlalchemy import create_engine, text

    seq = tls.rows(
        "SELECT min(seq) FROM hub_events WHERE stream = 'B26-0001' AND action = 'deviation.opened'"
    )[0][0]
    engine = create_engine(tls.db_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE hub_events DISABLE TRIGGER USER"))
        connection.execute(
            text(
                "UPDATE hub_events SET body = replace(body, 'B26-0001', 'B26-9999') WHERE seq = :s AND chain_id = :c"
            ),
            {"s": seq, "c": chain},
        )
        connection.execute(text("ALTER TABLE hub_events ENABLE TRIGGER USER"))
    engine.dispose()
    page, _dom = _browse(demo.url + "/", tmp_path, "hub-tampered.png")
    text_ = " ".join(page.text)
    assert (
        f"seq {seq}: hash does not match its fields" in text_ and "yes" not in text_.split("STATION-X")[0]
    ), text_


def _context(hub: HubProcess, name: str):  # type: ignore[no-untyped-def]
    import ssl

    assert hub.ca is not None
    cert, key, _ = hub.ca.issue(name)
    context = ssl.create_default_context(cafile=str(hub.ca.path))
    context.load_cert_chain(str(cert), str(key))
    return context
