"""Identifiers are plain: no path, no line break, no invisible or look-alike character."""

from __future__ import annotations

from pathlib import Path

import pytest

from recipes.ids import MAX_ID_LENGTH, id_problem
from recipes.loader import RecipeInvalid, parse_recipe

RECIPE = (Path(__file__).resolve().parents[1] / "data" / "recipes" / "para500-granulation.yaml").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize("good", ["B-2611-001", "PARA500-GRAN", "OP10.S20", "a", "x_1.2-3"])
def test_plain_ids_pass(good: str) -> None:
    assert id_problem(good) is None


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("../../tmp/x", "solidus"),
        ("B-1\nB-2", "line feed"),
        ("B-2611\u200b001", "zero width space"),
        ("B-2611\u202e100", "right-to-left override"),
        ("\u0412-2611", "cyrillic capital letter ve"),
        ("-B1", "must start and end"),
        ("B..1", "hold no '..'"),
        ("X" * (MAX_ID_LENGTH + 1), "at most 64"),
        ("", "must not be empty"),
    ],
)
def test_odd_ids_are_refused_and_shown_safely(bad: str, says: str) -> None:
    problem = id_problem(bad, "the batch id")
    assert problem is not None and says in problem
    assert "\n" not in problem and "\u202e" not in problem and len(problem) < 200


def test_a_recipe_step_id_with_a_path_in_it_is_a_located_problem() -> None:
    text = RECIPE.replace("- id: OP10.S20", "- id: ../OP10.S20", 1)
    with pytest.raises(RecipeInvalid) as info:
        parse_recipe(text, "para500.yaml")
    [problem] = info.value.problems
    assert problem.line > 1 and "solidus" in problem.message
