"""The BatchML export validates against the B2MML v0700 schema and maps the whole record."""

from __future__ import annotations

from lxml import etree

from ebr.export.batchml import NS, SCHEMA_DIR, XSI, export_batchml, validate_batchml
from ebr.export.record import BatchRecord
from tests.export.conftest import HAPPY_COMMENT

N = {"b": NS}


def _tree(record: BatchRecord) -> etree._Element:
    return etree.fromstring(export_batchml(record))


def test_every_export_validates(any_record: BatchRecord) -> None:
    assert validate_batchml(export_batchml(any_record)) == []


def test_a_large_batch_validates(large: BatchRecord) -> None:
    assert len(large.events) > 850 and sum(len(o.steps) for o in large.operations) == 70
    assert validate_batchml(export_batchml(large)) == []


def test_the_schemas_are_vendored_with_their_licence() -> None:
    assert (SCHEMA_DIR / "BatchML-BatchProductionRecord.xsd").is_file()
    assert (SCHEMA_DIR / "LICENSE").is_file() and (SCHEMA_DIR / "README.md").is_file()
    notice = (SCHEMA_DIR / "NOTICE").read_text()
    assert "used courtesy of MESA International" in notice


def test_invalid_documents_are_reported(happy: BatchRecord) -> None:
    tree = _tree(happy)
    tree.remove(tree.find("b:ID", N))
    errors = validate_batchml(etree.tostring(tree))
    assert errors and "ID" in errors[0]
    assert validate_batchml(b"<BatchProductionRecord")[0].startswith("line 1: not well-formed")


def test_record_identity(happy: BatchRecord) -> None:
    tree = _tree(happy)
    assert tree.tag == f"{{{NS}}}BatchProductionRecord"
    assert tree.findtext("b:BatchID", namespaces=N) == "B-2611-001"
    assert tree.findtext("b:MaterialDefinitionID", namespaces=N) == "PARA500-GRANULE"
    assert tree.findtext("b:ExternalReference", namespaces=N) == happy.chain_head
    assert tree.findtext("b:RecordStatus", namespaces=N) == "completed"


def test_change_history_is_the_audit_trail(exceptional: BatchRecord) -> None:
    tree = _tree(exceptional)
    changes = tree.findall("b:ChangeHistory/b:Change", N)
    assert len(changes) == len(exceptional.events)
    assert [c.findtext("b:ExternalReference", namespaces=N) for c in changes] == [
        e["hash"] for e in exceptional.events
    ]
    reasons = [c.findtext("b:Reason", namespaces=N) or "" for c in changes]
    assert "granulator alarm" in reasons and "Spill cleaned, no impact" in reasons
    assert all(c.find("b:PrechangeData", N).get(f"{{{XSI}}}nil") == "true" for c in changes)  # type: ignore[union-attr]
    described = [c.findtext("b:Description", namespaces=N) or "" for c in changes]
    assert any("weighing.refused by op.alvarez, refused" in d for d in described)


def test_actions_at_steps_are_events_of_their_kind(exceptional: BatchRecord) -> None:
    events = _tree(exceptional).findall("b:Events/b:Event", N)

    def kinds(step: str) -> list[tuple[str | None, str | None]]:
        return [
            (e.findtext("b:EventType", namespaces=N), e.findtext("b:EventSubType", namespaces=N))
            for e in events
            if e.findtext("b:ProceduralElementReference", namespaces=N) == step
            and e.findtext("b:Category", namespaces=N) != "e-signature"
            and e.findtext("b:EventSubType", namespaces=N) != "Other"
        ]

    assert kinds("OP20.S20") == [
        ("Message", "Message"),  # the quarantined lot
        ("Material", "Allocation"),
        ("Message", "Message"),  # the weighing out of tolerance
        ("Message", "Message"),  # the override with a wrong password
        ("Operator", "Security"),  # the override
        ("Material", "Consume"),
    ]
    assert kinds("OP30.S30") == [("Procedural Execution", "Process Data"), ("Operator", "Security")]


def test_control_recipe_elements(happy: BatchRecord) -> None:
    tree = _tree(happy)
    recipe = tree.find("b:ControlRecipes/b:ControlRecipeRecord/b:ControlRecipe", N)
    assert recipe is not None
    assert recipe.findtext("b:Header/b:ProductName", namespaces=N) == "Paracetamol 500 mg granulate"
    assert recipe.findtext("b:Header/b:Status", namespaces=N) == "Complete"
    procedure = recipe.find("b:RecipeElement", N)
    assert procedure is not None and procedure.findtext("b:RecipeElementType", namespaces=N) == "Procedure"
    operations = procedure.findall("b:RecipeElement", N)
    assert [o.findtext("b:ID", namespaces=N) for o in operations] == ["OP10", "OP20", "OP30"]
    phases = procedure.findall("b:RecipeElement/b:RecipeElement", N)
    assert len(phases) == 16
    weigh = next(p for p in phases if p.findtext("b:ID", namespaces=N) == "OP20.S20")
    assert weigh.findtext("b:ActualEquipmentID", namespaces=N) == "SCL-150-01"
    formula = recipe.findall("b:Formula/b:Parameter", N)
    assert [p.findtext("b:Value/b:ValueString", namespaces=N) for p in formula] == [
        "60.0",
        "48.0",
        "3.6",
        "2400",
    ]


def test_data_sets_events_people_and_qualifications(happy: BatchRecord) -> None:
    tree = _tree(happy)
    sets = tree.findall("b:DataSets/b:DataSet", N)
    assert len(sets) == 3 + 4  # measurements and weighings
    values = {s.findtext("b:OrderedData/b:DataValue[b:TagIndex='3']/b:Value", namespaces=N) for s in sets}
    assert {"60.02", "47.85", "3.6190", "2.4175"} <= values
    events = tree.findall("b:Events/b:Event", N)
    kinds = {
        (e.findtext("b:EventType", namespaces=N), e.findtext("b:EventSubType", namespaces=N)) for e in events
    }
    assert {
        ("Material", "Consume"),
        ("Procedural Execution", "Prompt Response"),
        ("Operator", "Security"),
    } <= kinds
    signatures = [e for e in events if e.findtext("b:Category", namespaces=N) == "e-signature"]
    assert len(signatures) == len(happy.signatures)
    names = [m.findtext("b:Name", namespaces=N) for m in tree.findall("b:PersonnelIdentification/*", N)]
    assert set(names) == {"Maria Alvarez", "Piotr Nowak", "Leila Haddad", "Claire Dubois"}
    kinds_q = {
        m.findtext("b:ResourceType", namespaces=N) for m in tree.findall("b:ResourceQualifications/*", N)
    }
    assert kinds_q == {"Personnel", "Equipment", "Material Lot"}
    comments = tree.findall("b:Comments/b:Comment", N)
    assert any(HAPPY_COMMENT == (c.findtext("b:CommentText", namespaces=N) or "") for c in comments)


def test_running_and_held_batches_validate(refusals: BatchRecord, held: BatchRecord) -> None:
    for record, status in ((refusals, "Running"), (held, "Held")):
        tree = _tree(record)
        assert tree.findtext("b:ControlRecipes//b:Header/b:Status", namespaces=N) == status
        assert validate_batchml(export_batchml(record)) == []
