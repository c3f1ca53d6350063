"""The hash chain's two ways to the same hash: the definition (``event_hash``, over parsed
values) and the append path's (``event_hash_of_texts``, over the stored JSON texts)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ebr import chain

_text = st.text(max_size=40)  # any unicode, quotes, backslashes and control characters included
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def events(draw: st.DrawFn) -> dict[str, object]:
    event: dict[str, object] = {}
    for name in chain.EVENT_FIELDS:
        if name in ("seq", "stream_seq"):
            event[name] = draw(st.integers(min_value=1, max_value=2**53))
        elif name in ("old_value", "new_value"):
            event[name] = draw(st.none() | _json)
        elif name in ("uid", "stream", "occurred_at", "action", "outcome", "entity_type", "prev_hash"):
            event[name] = draw(_text)
        else:
            event[name] = draw(st.none() | _text)
    return event


@settings(max_examples=300, deadline=None)
@given(events())
def test_hash_over_stored_texts_is_the_defined_hash(event: dict[str, object]) -> None:
    as_texts = dict(event)
    for name in ("old_value", "new_value"):
        value = event[name]
        as_texts[name] = None if value is None else chain.canonical(chain.to_json_value(value))
    assert chain.event_hash_of_texts(as_texts) == chain.event_hash(event)


def test_a_changed_field_changes_the_hash() -> None:
    event = {name: f"v-{name}" for name in chain.EVENT_FIELDS}
    event.update(seq=7, stream_seq=3, old_value=None, new_value=json.dumps({"step": "OP10.S10"}))
    base = chain.event_hash_of_texts(event)
    for name in chain.EVENT_FIELDS:
        changed = dict(event)
        changed[name] = None if event[name] is not None else "x"
        assert chain.event_hash_of_texts(changed) != base, name


# Values as the engine hands them to the audit trail: JSON's own types, and others that the
# canonical form turns into text (dates, decimals, tuples, sets, number keys).
_engine_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
    | st.dates()
    | st.decimals(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.frozensets(st.integers(), max_size=3)
        | st.dictionaries(_text, inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(_engine_value)
def test_stored_text_is_the_canonical_text_of_what_a_reader_gets_back(value: object) -> None:
    text = chain.canonical_text(value)
    assert text == chain.canonical(chain.to_json_value(value))
    assert chain.canonical(json.loads(text)) == text  # a fixed point: reading and writing again


def test_number_keys_are_put_in_the_order_a_reader_sees() -> None:
    # Encoded directly, number keys sort as numbers; read back they are text and sort as text.
    assert chain.canonical({10: "a", 9: "b"}) == '{"9":"b","10":"a"}'
    assert chain.canonical_text({10: "a", 9: "b"}) == '{"10":"a","9":"b"}'
