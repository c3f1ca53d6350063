"""The instruction images a recipe names: read beside the recipe file, checked against the
SHA-256 the recipe pins (``image_sha256``), kept with the recipe version when it is imported.

An image is part of the approved instruction: what the operator sees must be what QA approved.
So the recipe names the file *and* its hash (the hash is in the recipe's content hash), the
import refuses a file whose bytes do not match, and the station shows the bytes stored with the
version, never a file that may have changed since.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from recipes.model import InstructionStep, MasterRecipe

#: An instruction photo or drawing, not a video: a few hundred kilobytes is usual.
MAX_IMAGE_BYTES = 5 << 20
#: What the station displays: PNG and JPEG, told by their first bytes.
_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


def read_images(recipe: MasterRecipe, recipe_file: Path) -> tuple[dict[str, bytes], list[str]]:
    """The images of the recipe's instruction steps, by SHA-256, and the problems found (one
    line each, naming the recipe file, the step and the image)."""
    images: dict[str, bytes] = {}
    problems: list[str] = []
    folder = recipe_file.resolve().parent
    for operation in recipe.operations:
        for step in operation.steps:
            if not isinstance(step, InstructionStep) or not step.image:
                continue
            where = f"{recipe_file}: {step.id}: image {step.image!r}"
            path = (folder / step.image).resolve()
            if folder not in path.parents:
                problems.append(f"{where}: must be a file beside the recipe (or below its folder)")
                continue
            try:
                with path.open("rb") as handle:  # at most the limit is read, whatever the file
                    data = handle.read(MAX_IMAGE_BYTES + 1)
            except OSError as exc:
                problems.append(f"{where}: cannot read: {exc.strerror or exc}")
                continue
            if len(data) > MAX_IMAGE_BYTES:
                problems.append(f"{where}: larger than {MAX_IMAGE_BYTES >> 20} MB")
                continue
            if not any(data.startswith(magic) for magic in _MAGIC):
                problems.append(f"{where}: not a PNG or JPEG image")
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest != step.image_sha256:
                problems.append(
                    f"{where}: its SHA-256 is {digest}, the recipe pins {step.image_sha256}: "
                    "the file is not the image the recipe was written with"
                )
                continue
            images[digest] = data
    return images, problems
