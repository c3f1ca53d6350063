"""Reading the station's YAML files safely: recipes, master data, batch scripts.

One loader for every YAML file the station reads, so none of them can stall it:

* a size limit per kind of file, checked before parsing;
* anchors and aliases refused (no file here has a use for them, and an alias bomb of a few
  hundred bytes expands to gigabytes);
* nesting limited to ``MAX_DEPTH`` levels (the parser gets slow past that, worse than
  quadratic);
* duplicate keys refused, and every failure of the parser, however odd the bytes, turned into
  a located problem (``YamlRefused``), never a traceback.

It is ruamel's round-trip loader, which keeps the line of every key and item; numbers written
with a decimal point are read as ``Decimal`` straight from their text (``3.9310`` stays
``3.9310``, never through float).
"""

from __future__ import annotations

import warnings
from decimal import Decimal, InvalidOperation
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

#: Deep nesting makes the YAML parser slow (worse than quadratic); a recipe is 6 levels deep.
MAX_DEPTH = 32


class YamlRefused(Exception):
    """The text is not YAML this station reads: each problem as (line, message)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {line}: {message}" for line, message in problems))
        self.problems = problems


class _DecimalConstructor(RoundTripConstructor):
    """Round-trip constructor that reads YAML floats as Decimal from their source text."""

    def construct_decimal(self, node: ScalarNode) -> Any:
        text = str(node.value).replace("_", "")
        try:
            return Decimal(text)
        except InvalidOperation:
            pass
        try:
            return super().construct_yaml_float(node)  # .inf and .nan; the schemas refuse them
        except ValueError:  # an explicit !!float on something that is not a number
            raise ConstructorError(None, None, f"{node.value!r} is not a number", node.start_mark) from None


# add_constructor on the subclass copies the table, so the shared RoundTripConstructor is untouched.
_DecimalConstructor.add_constructor("tag:yaml.org,2002:float", _DecimalConstructor.construct_decimal)


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _SafeComposer(Composer):
    """Composer that notes every anchor and alias, and stops at MAX_DEPTH levels of nesting
    (before the parser spends seconds on a pathological file). Composing an alias bomb is
    cheap (an alias is a reference to the node it names); what expands it is walking the
    document, which nobody does: the loader refuses it first, naming every anchor and alias."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.nesting = 0
        self.anchor_lines: list[int] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            self.anchor_lines.append(event.start_mark.line + 1)
        if not isinstance(event, MappingStartEvent | SequenceStartEvent):
            return super().compose_node(parent, index)
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise _TooDeep(event.start_mark.line + 1)
        try:
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Composer = _SafeComposer
    yaml.Constructor = _DecimalConstructor
    yaml.allow_duplicate_keys = False
    return yaml


def _char(character: object) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{code:04X}"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def load_yaml(text: str, *, what: str, max_bytes: int) -> Any:
    """The YAML document in ``text``, or ``YamlRefused`` with located problems. ``what`` names
    the kind of file in messages ("a recipe"); ``max_bytes`` is its size limit."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise YamlRefused([(1, f"the file is {size:,} bytes: {what} may have at most {max_bytes:,}")])
    yaml = _yaml()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = yaml.load(text)
    except _TooDeep as error:
        raise YamlRefused(
            [(error.line, f"nested more than {MAX_DEPTH} levels deep: {what} needs a handful")]
        ) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = f" (column {mark.column + 1})" if mark is not None else ""
        reason = error.problem or error.context or "not valid YAML"
        raise YamlRefused([(line, f"YAML syntax error: {reason}{column}")]) from None
    except ReaderError as error:
        line = text[: max(error.position, 0)].count("\n") + 1
        raise YamlRefused([(line, f"character {_char(error.character)} is not allowed in YAML")]) from None
    except RecursionError:
        raise YamlRefused([(1, "not valid YAML: nested too deeply")]) from None
    except (YAMLError, ValueError, TypeError, AttributeError, KeyError, IndexError, AssertionError) as error:
        # ruamel raises a few plain exceptions on very broken input (nesting depth, odd tags, and
        # an internal assertion on some comment tokens, found by tests/recipes/test_recipe_fuzz.py).
        line = int(getattr(getattr(error, "problem_mark", None), "line", 0)) + 1
        raise YamlRefused([(line, f"not valid YAML: {_first_line(error)}")]) from None
    anchors = yaml.composer.anchor_lines
    if anchors:
        raise YamlRefused(
            # one line per line of the file: an alias bomb repeats its aliases thousands of times
            [
                (line, f"anchors and aliases (& and *) are not allowed in {what}")
                for line in sorted(set(anchors))
            ]
        )
    return document


def decimal_yaml() -> YAML:
    """The loader itself (no size limit): for YAML whose source is the station's own data."""
    return _yaml()
