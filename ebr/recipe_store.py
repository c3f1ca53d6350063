"""Master recipes in the store: import (insert-only) and approval (an e-signature).

A recipe's status is derived, never stored: it is ``approved`` iff a valid signature
with the meaning ``RECIPE_APPROVAL_MEANING`` signs its row (``UnitOfWork.recipe``).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ebr import events as ev
from ebr.audit import SITE_STREAM
from ebr.errors import NotAllowed, NotFound, RecipeConflict
from ebr.facts import StoredRecipe
from ebr.models import Recipe
from ebr.signatures import SignatureInfo, sign
from ebr.uow import RECIPE_APPROVAL_MEANING, UnitOfWork
from ebr.users import PasswordCheck
from recipes.hashing import content_hash
from recipes.model import MasterRecipe


@dataclass(frozen=True)
class RecipeImport:
    recipe: StoredRecipe
    created: bool  # False: the identical recipe was already in the store (nothing written)


def import_recipe(
    uow: UnitOfWork,
    recipe: MasterRecipe,
    source_text: str,
    user_id: str,
    images: Mapping[str, bytes] | None = None,
) -> RecipeImport:
    """Store a validated master recipe with its source text and its instruction images (by
    SHA-256, as ``recipes.images.read_images`` checked them). The same code and version with
    another content hash is refused (RecipeConflict); the identical one is a no-op."""
    digest = content_hash(recipe)
    existing = uow.session.scalars(
        select(Recipe).where(Recipe.code == recipe.code, Recipe.version == recipe.version)
    ).one_or_none()
    if existing is not None:
        if existing.content_hash != digest:
            raise RecipeConflict(
                f"recipe {recipe.code} version {recipe.version} is already in the store with other content: "
                "give the changed recipe a new version"
            )
        stored = uow.recipe(recipe.code, recipe.version)
        assert stored is not None
        return RecipeImport(stored, created=False)
    if not user_id.strip():
        raise ValueError("a recipe import needs the id of who imports it")
    imported = ev.RecipeImported(
        code=recipe.code,
        version=recipe.version,
        content_hash=digest,
        title=recipe.title,
        product_code=recipe.product_code,
        product_name=recipe.product_name,
        source_text=source_text,
        images={digest: base64.b64encode(data).decode("ascii") for digest, data in images.items()}
        if images
        else None,
    )
    uow.write(imported, stream=SITE_STREAM, user_id=user_id)
    stored = uow.recipe(recipe.code, recipe.version)
    assert stored is not None
    return RecipeImport(stored, created=True)


def approve_recipe(
    uow: UnitOfWork,
    code: str,
    version: int,
    user: str,
    password: str,
    *,
    checked: PasswordCheck | None = None,
) -> SignatureInfo:
    """Approve a recipe for execution: the e-signature of a ``qa`` user who did not import it.

    Raises NotFound, NotAllowed (already approved) or SignatureRefused (audited: commit)."""
    row = uow.session.scalars(
        select(Recipe).where(Recipe.code == code, Recipe.version == version)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no recipe {code} version {version} in the store")
    if uow.recipe_approval(row) is not None:
        raise NotAllowed(f"recipe {code} version {version} is already approved", "already_approved")
    return sign(
        uow,
        user_id=user,
        password=password,
        meaning=RECIPE_APPROVAL_MEANING,
        record_table="recipes",
        record_uid=row.uid,
        required_role="qa",
        not_by=(row.imported_by,),
        checked=checked,
    )
