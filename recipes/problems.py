"""What is wrong with a recipe file, located to the line, and the exception carrying it."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a recipe file. ``str()`` gives ``FILE:LINE: field.path: message``,
    the form editors and CI logs turn into a link. ``line`` is 1-based; ``field`` is the
    path of the key in the file (``operations[1].steps[2].tolerance.minus_pct``) or
    ``document`` for problems with the file as a whole (syntax, encoding, empty)."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        message = re.sub(r"[\r\n]+", " ", self.message)  # one line per problem, whatever the input held
        return f"{self.file}:{self.line}: {self.field}: {message}"


class RecipeInvalid(Exception):
    """The recipe file cannot be accepted; ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))
