"""The open batch, as its committed events say, and the recipes batches run on.

The engine holds the open batch's replayed state in memory and reads the batch's stream
again only when it has moved on without this station: the chain head still where this
station's last commit left it (``quiet``) proves that nobody has written anything since,
and a batch head equal to the state's proves that nobody has written to the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import platformdirs

from ebr import events as ev
from ebr.audit import SITE_STREAM
from ebr.errors import StoreError
from ebr.facts import StoredRecipe
from ebr.replay import BatchState
from ebr.uow import UnitOfWork
from gating.wording import wording
from recipes.loader import parse_recipe
from recipes.model import InstructionStep, MasterRecipe, Quantity, WeighStep
from recipes.scaling import ControlRecipe, scale_recipe
from station.engine import messages as M
from station.engine.answers import ActionError
from station.engine.master_facts import MasterFacts

#: An event written in this action, waiting for the commit: the event, who, when, its place.
Written = tuple[ev.AuditedEvent, str | None, str, int]


class RecipeBook:
    """Master recipes parsed from their stored text, once for each content hash."""

    def __init__(self) -> None:
        self._parsed: dict[str, MasterRecipe] = {}

    def parsed(self, stored: StoredRecipe) -> MasterRecipe:
        recipe = self._parsed.get(stored.content_hash)
        if recipe is None:
            recipe = parse_recipe(stored.source_text, f"{stored.code}.yaml")
            self._parsed[stored.content_hash] = recipe
        return recipe

    def of(self, uow: UnitOfWork, code: str, version: int) -> MasterRecipe:
        stored = uow.recipe(code, version)
        if stored is None:
            raise ActionError(f"recipe {code} version {version} is not in the database")
        return self.parsed(stored)


def load_state(
    uow: UnitOfWork, batch_id: str, recipes: RecipeBook, since: BatchState | None = None
) -> BatchState:
    """A batch's state from its stream: from the start, or brought forward from ``since``."""
    info = uow.batch(batch_id)
    if info is None:
        raise ActionError(f"batch {batch_id} is not in the database")
    recipe = recipes.of(uow, info.recipe_code, info.recipe_version)
    state = since
    for recorded in uow.stream(batch_id, after=since.stream_seq if since else 0):
        if state is None:
            first = recorded.event
            if not isinstance(first, ev.BatchStarted):
                raise StoreError(f"batch {batch_id}: its first event is {first.action}, not batch.started")
            state = BatchState.started(first, recipe.step_ids())
        state.apply(recorded.event, stream_seq=recorded.stream_seq, user_id=recorded.user_id, at=recorded.at)
    if state is None:
        raise StoreError(f"batch {batch_id} has no events")
    return state


class OpenBatch:
    """The batch this station works on: its id, replayed state and scaled control recipe, and
    the names of its materials for the screens."""

    def __init__(self, recipes: RecipeBook, facts: MasterFacts) -> None:
        self.recipes = recipes
        self.facts = facts
        self.batch_id: str | None = None
        self.state: BatchState | None = None
        self.control: ControlRecipe | None = None
        self.material_names: dict[str, str] = {}  # material code -> name
        self.image_files: dict[str, str] = {}  # an instruction image's SHA-256 -> its file
        # (batch id, chain seq) after this station's last commit, when that commit appended to
        # the open batch's stream only and the site head had been checked in that action:
        # while the chain head is still there, nobody has written anything since.
        self.quiet: tuple[str, int] | None = None

    def open(self, batch_id: str, control: ControlRecipe | None = None) -> None:
        """Make ``batch_id`` the open batch; its state is read at the next ``sync``."""
        self.batch_id = batch_id
        self.state = None
        self.control = control

    def forget_state(self) -> None:
        """Read the batch again from the database next time (after a store error)."""
        self.state = None

    @property
    def recipe(self) -> MasterRecipe:
        assert self.control is not None
        return self.control.master

    def sync(self, uow: UnitOfWork) -> BatchState:
        """The open batch's state, brought up to date with what the database has committed."""
        if self.batch_id is None:
            raise ActionError(wording(M.NO_BATCH_OPEN))
        if self.state is not None:
            if (
                self.quiet is not None
                and self.quiet[0] == self.batch_id
                and not uow.read_only
                and uow.chain_seq() == self.quiet[1]
            ):
                # The chain head (read, and locked, for this action's own append anyway) is
                # where our last commit left it: neither the batch nor the site stream moved.
                self.facts.trust_head()
                return self.state
            # One query for both heads: the batch's (did anyone else record?) and the site's
            # (did master data change under the cached facts?).
            heads = uow.stream_heads(self.batch_id, SITE_STREAM)
            self.facts.adopt_head(uow, heads[SITE_STREAM])
            if heads[self.batch_id] == self.state.stream_seq:
                return self.state
        state = load_state(uow, self.batch_id, self.recipes, since=self.state)
        self.state = state
        if self.control is None or self.control.content_hash != state.content_hash:
            recipe = self.recipes.of(uow, state.recipe_code, state.recipe_version)
            self.control = scale_recipe(recipe, Quantity(Decimal(state.size), state.unit))
            self.remember_materials(uow, recipe)
        return state

    def remember_materials(self, uow: UnitOfWork, recipe: MasterRecipe) -> None:
        """The names of the recipe's materials, and its instruction images as stored with the
        version (each in a file named by its SHA-256, written again if it no longer matches)."""
        if any(isinstance(step, InstructionStep) and step.image for _, step in recipe.steps()):
            for digest, data in uow.recipe_images(recipe.code, recipe.version).items():
                self.image_files[digest] = str(image_file(digest, data))
        for _, step in recipe.steps():
            if isinstance(step, WeighStep) and step.material not in self.material_names:
                found = uow.material(step.material)
                if found is not None:
                    self.material_names[step.material] = found.name

    def committed(self, uow: UnitOfWork, written: Iterable[Written], last_seq: int) -> None:
        """The unit of work has committed ``written`` (and its stream reached ``last_seq``):
        bring the state forward by exactly those events, without reading them back."""
        if self.state is None:
            self.state = load_state(uow, self.batch_id, self.recipes) if self.batch_id else None
        else:
            for event, user_id, at, seq in written:
                self.state.apply(event, stream_seq=seq, user_id=user_id, at=at)
            self.state.stream_seq = max(self.state.stream_seq, last_seq)
        self.remember_commit(uow)

    def remember_commit(self, uow: UnitOfWork) -> None:
        """Remember the chain head our commit left, if the next action may trust it (``quiet``)."""
        written = uow.last_commit
        self.quiet = (
            (self.batch_id, written[0])
            if written is not None
            and self.batch_id is not None
            and self.state is not None
            and self.facts.checked
            and written[1] == {self.batch_id: self.state.stream_seq}
            else None
        )


def image_file(digest: str, data: bytes) -> Path:
    """The instruction image ``data`` as a file the screens can show, named by its SHA-256 in
    the station's cache folder; a file found there that does not match is written again."""
    folder = Path(platformdirs.user_cache_dir("mes-station")) / "instruction-images"
    path = folder / f"{digest}.img"
    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() == digest:
            return path
    except OSError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return path
