"""What the engine says when it cannot take an action at all (no gate applies), as templates
with named blanks (``gating.wording.Wording``): the command line prints the English, and a
station in another language translates the template (``station.ui.viewmodels.reasons``).

Only what an operator at a screen can meet is here (nobody logged in after an idle logout,
a batch on hold, an override without a reason ...); what only a script or a configuration
can cause (a step the recipe does not have) stays plain English.
"""

from __future__ import annotations

from gating.wording import templates_in

NO_USER = "nobody is logged in: log in first"
NEW_PASSWORD_FIRST = "a new password must be set before working"
NO_BATCH_OPEN = "no batch is open: start or open a batch first"
BATCH_EXISTS = "batch {batch} exists already for {recipe} v{version}"
RECIPE_NOT_IMPORTED = "recipe {recipe} version {version} is not imported"
RECIPE_NOT_APPROVED = "recipe {recipe} version {version} is not approved by QA"
NOT_A_MASS = "batch size {size} {unit} is not a positive mass"
BATCH_ON_HOLD = "batch {batch} is on hold: resume it first"
BATCH_COMPLETED = "batch {batch} is completed"
BATCH_COMPLETED_ALREADY = "batch {batch} is completed already"
BATCH_IN_STATUS = "batch {batch} is {status}"  # status: gating.wording.STATUS_IN_PROGRESS ...
OVERRIDE_NEEDS_REASON = "an override needs a reason"
NOTHING_TO_OVERRIDE = "nothing to override at {step}: no refusal and no open deviation"
SESSION_ENDED = "The session of {user} has ended ({why}): log in again"
NOTHING_TO_DECIDE = "nothing to decide at {step}: the batch is not stopped there"
DECISION_NEEDS_REASON = "a decision needs a reason"
TEXT_TOO_LONG = "the text has {length} characters: at most {limit}"
NO_LABEL = "no accepted weighing to print a label for"
CANNOT_OVERRIDE = "{codes} cannot be overridden: fix the cause instead"
DEVIATION_NEEDS_TEXT = "a deviation needs a category and a text"

#: Every template above, in the order written.
MESSAGES: tuple[str, ...] = templates_in(dict(globals()))
