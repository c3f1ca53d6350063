"""Rules that span fields or steps, checked on the loaded YAML document itself.

They run next to the schema check, on the raw document, so that a file with a
type error *and* a duplicate id reports both at once. Anything that does not
have the expected shape is skipped here: the schema check reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from recipes.locate import PathElement, format_path, path_line
from recipes.problems import Problem

Report = Callable[[tuple[PathElement, ...], str], None]


@dataclass(frozen=True)
class _RawStep:
    index: int  # position in the whole recipe, 0-based
    path: tuple[PathElement, ...]
    node: dict[Any, Any]

    @property
    def id(self) -> str | None:
        value = self.node.get("id")
        return value if isinstance(value, str) else None


def cross_check(document: Any, filename: str) -> list[Problem]:
    if not isinstance(document, dict):
        return []
    problems: list[Problem] = []

    def problem(path: tuple[PathElement, ...], message: str) -> None:
        problems.append(Problem(filename, path_line(document, path), format_path(path), message))

    operations = document.get("operations")
    if not isinstance(operations, list):
        return problems

    # Duplicate operation ids.
    seen: dict[str, int] = {}
    for index, operation in enumerate(operations):
        if isinstance(operation, dict) and isinstance(operation.get("id"), str):
            path: tuple[PathElement, ...] = ("operations", index, "id")
            _duplicate(seen, operation["id"], path_line(document, path), "operation", path, problem)

    steps = list(_raw_steps(operations))

    # Duplicate step ids (across the whole recipe: a step id names one step of the batch).
    seen = {}
    first_index: dict[str, int] = {}
    for step in steps:
        if step.id is not None:
            path = (*step.path, "id")
            _duplicate(seen, step.id, path_line(document, path), "step", path, problem)
            first_index.setdefault(step.id, step.index)

    bound: dict[str, str] = {}  # binding name -> id of the equipment step that made it
    for step in steps:
        kind = step.node.get("kind")
        if kind == "equipment" and isinstance(step.node.get("bind"), str):
            bound.setdefault(step.node["bind"], step.id or "?")
        elif kind == "weigh":
            _check_scale(step, steps, bound, problem)
        elif kind == "signature":
            _check_independence(step, first_index, problem)
        elif kind == "measure":
            _check_limits(step, problem)
        elif kind == "instruction":
            _check_image(step, problem)
    return problems


def _check_image(step: _RawStep, problem: Report) -> None:
    """An instruction's image is part of the approved recipe: pinned by its SHA-256."""
    image, digest = step.node.get("image"), step.node.get("image_sha256")
    if image is None:
        if digest is not None:
            problem((*step.path, "image_sha256"), "names the hash of an image, but the step has no image")
        return
    if digest is None:
        problem(
            (*step.path, "image"),
            "an image needs image_sha256, the SHA-256 of the file (64 hex digits): it puts the image "
            "into the recipe's hash",
        )
    elif not (isinstance(digest, str) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
        problem((*step.path, "image_sha256"), "must be 64 lower-case hex digits (the file's SHA-256)")


def _raw_steps(operations: list[Any]) -> Iterator[_RawStep]:
    index = 0
    for op_index, operation in enumerate(operations):
        if not isinstance(operation, dict) or not isinstance(operation.get("steps"), list):
            continue
        for step_index, node in enumerate(operation["steps"]):
            if isinstance(node, dict):
                yield _RawStep(index, ("operations", op_index, "steps", step_index), node)
            index += 1


def _duplicate(
    seen: dict[str, int], value: str, line: int, what: str, path: tuple[PathElement, ...], problem: Report
) -> None:
    if value in seen:
        problem(path, f"duplicate {what} id {value!r} (first used on line {seen[value]})")
    else:
        seen[value] = line


def _check_scale(step: _RawStep, steps: list[_RawStep], bound: dict[str, str], problem: Report) -> None:
    scale = step.node.get("scale")
    if not isinstance(scale, str):
        return
    path = (*step.path, "scale")
    if scale in bound:
        return
    later = next(
        (
            s.id or "?"
            for s in steps
            if s.index > step.index and s.node.get("kind") == "equipment" and s.node.get("bind") == scale
        ),
        None,
    )
    if later is not None:
        problem(path, f"{scale!r} is bound only by a later step ({later}): bind the scale before weighing")
    elif not bound:
        problem(path, f"{scale!r} is not bound: no equipment step before this weighing binds a scale")
    else:
        problem(
            path, f"{scale!r} is not bound by an earlier equipment step (bound: {', '.join(sorted(bound))})"
        )


def _check_independence(step: _RawStep, first_index: dict[str, int], problem: Report) -> None:
    names = step.node.get("independent_of")
    if not isinstance(names, list):
        return
    for i, name in enumerate(names):
        if not isinstance(name, str):
            continue
        path = (*step.path, "independent_of", i)
        if name == step.id:
            problem(path, "a signature cannot be independent of its own step")
        elif name not in first_index:
            problem(path, f"{name!r} is not a step of this recipe")
        elif first_index[name] > step.index:
            problem(path, f"{name!r} is a later step: a signature can only be independent of earlier steps")


def _check_limits(step: _RawStep, problem: Report) -> None:
    limits = step.node.get("limits")
    if not isinstance(limits, dict):
        return
    low, high = _number(limits.get("low")), _number(limits.get("high"))
    if low is not None and high is not None and low > high:
        problem((*step.path, "limits"), f"low ({low}) is greater than high ({high})")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    number = Decimal(value)
    return number if number.is_finite() else None
