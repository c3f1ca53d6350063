"""From a path in a loaded YAML document to the line it was written on.

ruamel's round-trip loader records the position of every mapping key and
sequence item (``.lc``); a path is a sequence of keys and indices, as pydantic
reports error locations. Positions are 0-based in ruamel and 1-based here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

PathElement = str | int


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def format_path(path: Sequence[PathElement]) -> str:
    """``("operations", 1, "steps", 2, "id")`` -> ``operations[1].steps[2].id``. A key that is
    not a plain word (empty, spaces, dots, control characters) is quoted, ``recipe["a b"]``,
    so the path stays one unambiguous token of the ``FILE:LINE: field: message`` line."""
    text = ""
    for element in path:
        if isinstance(element, int) and not isinstance(element, bool):
            text += f"[{element}]"
        elif _PLAIN_KEY.fullmatch(str(element)):
            text += f".{element}" if text else str(element)
        else:
            text += f"[{json.dumps(str(element))}]"
    return text or "document"


def node_line(node: Any, default: int = 1) -> int:
    """The line where a mapping or sequence starts."""
    try:
        return int(node.lc.line) + 1
    except (AttributeError, TypeError):
        return default


def child_line(node: Any, element: PathElement, default: int) -> int:
    """The line of key ``element`` of a mapping, or of item ``element`` of a sequence."""
    positions: Any = getattr(node, "lc", None)
    try:
        if isinstance(node, dict):
            return int(positions.key(element)[0]) + 1
        if isinstance(node, list) and isinstance(element, int):
            return int(positions.item(element)[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        pass
    return default


def path_line(root: Any, path: Sequence[PathElement]) -> int:
    """The line of the deepest element of ``path`` that exists in the document; for a key
    that is missing, the line of the mapping that should hold it."""
    node = root
    line = node_line(root)
    for element in path:
        if isinstance(node, dict) and element in node:
            line = child_line(node, element, line)
            node = node[element]
        elif isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node):
            line = child_line(node, element, line)
            node = node[element]
        else:
            break
    return line
