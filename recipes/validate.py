"""``mes-station recipe validate FILE...``: check recipe files, one stderr line per problem."""

from __future__ import annotations

import os
from collections.abc import Iterable

from recipes.loader import load_recipe
from recipes.problems import RecipeInvalid

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def validate_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[int, list[str]]:
    """Exit code and stderr lines for the files: 0 when every file is a valid recipe,
    1 when any is invalid (each problem as ``FILE:LINE: field: message``), 2 when any
    cannot be read at all (which wins over 1: the check is incomplete)."""
    code = EXIT_VALID
    lines: list[str] = []
    for path in paths:
        try:
            load_recipe(path)
        except RecipeInvalid as invalid:
            code = max(code, EXIT_INVALID)
            lines.extend(str(problem) for problem in invalid.problems)
        except OSError as error:
            code = EXIT_UNREADABLE
            lines.append(f"{os.fspath(path)}: cannot read the file: {error.strerror or error}")
    return code, lines
