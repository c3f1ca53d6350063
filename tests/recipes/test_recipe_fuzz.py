"""Whatever the file holds, validation answers with located problems and never crashes."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from recipes import MasterRecipe, RecipeInvalid, parse_recipe, parse_recipe_bytes

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "recipes" / "para500-granulation.yaml"
SOURCE = REFERENCE.read_text(encoding="utf-8")
NAME = "fuzz.yaml"
LOCATED = re.compile(r"^fuzz\.yaml:(\d+): \S.*: .+")

# Each example parses a whole recipe (~40 ms, pure-Python YAML); these counts keep the suite fast.
FUZZ = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_CHEAP = settings(max_examples=200, deadline=None, database=None)


_PLAIN = YAML(typ="safe").load(SOURCE)


def plain_reference() -> Any:
    return copy.deepcopy(_PLAIN)


def assert_answers_with_located_problems(content: str | bytes) -> None:
    try:
        result = (
            parse_recipe_bytes(content, NAME) if isinstance(content, bytes) else parse_recipe(content, NAME)
        )
    except RecipeInvalid as invalid:
        assert invalid.problems, "RecipeInvalid without problems"
        lines = (content.count(b"\n") if isinstance(content, bytes) else content.count("\n")) + 2
        for problem in invalid.problems:
            match = LOCATED.match(str(problem))
            assert match, str(problem)
            assert 1 <= int(match.group(1)) <= lines, str(problem)
    else:
        assert isinstance(result, MasterRecipe)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def dump(data: Any) -> str:
    stream = io.StringIO()
    YAML(typ="safe").dump(data, stream)
    return stream.getvalue()


REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        ["yes", "no", "kg", "g", "L", "weigh", "equipment", "floor_scale", "OP10.S10", "OP30.S60"]
    ),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@FUZZ
@given(st.data())
def test_structural_mutations(data: st.DataObject) -> None:
    document = plain_reference()
    all_paths = paths(document)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        path = data.draw(st.sampled_from(all_paths))
        parent: Any = document
        try:
            for element in path[:-1]:
                parent = parent[element]
            action = data.draw(st.sampled_from(["drop", "replace", "add", "negate"]))
            if action == "drop":
                del parent[path[-1]]
            elif action == "replace":
                parent[path[-1]] = data.draw(REPLACEMENTS)
            elif action == "add" and isinstance(parent, dict):
                parent[data.draw(st.text(min_size=1, max_size=8))] = data.draw(REPLACEMENTS)
            elif action == "negate" and isinstance(parent[path[-1]], int | float):
                parent[path[-1]] = -parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or reshaped this path
    assert_answers_with_located_problems(dump(document))


@FUZZ
@given(st.data())
def test_text_mutations(data: st.DataObject) -> None:
    lines = SOURCE.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "insert", "truncate", "indent"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "insert":
            column = data.draw(st.integers(min_value=0, max_value=len(lines[index])))
            text = data.draw(
                st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`,? \t\nab1")), max_size=6)
            )
            lines[index] = lines[index][:column] + text + lines[index][column:]
        elif action == "truncate":
            lines[index] = lines[index][: data.draw(st.integers(min_value=0, max_value=len(lines[index])))]
        elif action == "indent":
            lines[index] = " " + lines[index]
    assert_answers_with_located_problems("".join(lines))


@FUZZ_CHEAP
@given(st.binary(max_size=400))
def test_random_bytes(content: bytes) -> None:
    assert_answers_with_located_problems(content)


@FUZZ_CHEAP
@given(st.text(max_size=200))
def test_random_text(content: str) -> None:
    assert_answers_with_located_problems(content)


@FUZZ
@given(st.binary(max_size=60), st.integers(min_value=0, max_value=len(SOURCE)))
def test_reference_with_bytes_spliced_in(noise: bytes, at: int) -> None:
    raw = SOURCE.encode("utf-8")
    assert_answers_with_located_problems(raw[:at] + noise + raw[at:])
