"""Master recipes: the model, loading and validation, scaling to a batch, content hash."""

from recipes.hashing import content_hash
from recipes.loader import load_recipe, parse_recipe, parse_recipe_bytes
from recipes.model import (
    CheckStep,
    EquipmentStep,
    InstructionStep,
    MasterRecipe,
    MeasureStep,
    Operation,
    Quantity,
    SignatureStep,
    Step,
    WeighStep,
)
from recipes.problems import Problem, RecipeInvalid
from recipes.scaling import ControlRecipe, WeighTarget, scale_recipe
from recipes.units import UnitError, convert, is_mass_unit
from recipes.validate import validate_files

__all__ = [
    "CheckStep",
    "ControlRecipe",
    "EquipmentStep",
    "InstructionStep",
    "MasterRecipe",
    "MeasureStep",
    "Operation",
    "Problem",
    "Quantity",
    "RecipeInvalid",
    "SignatureStep",
    "Step",
    "UnitError",
    "WeighStep",
    "WeighTarget",
    "content_hash",
    "convert",
    "is_mass_unit",
    "load_recipe",
    "parse_recipe",
    "parse_recipe_bytes",
    "scale_recipe",
    "validate_files",
]
