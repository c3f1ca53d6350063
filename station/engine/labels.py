"""Dispense labels from the touchscreen: after an accepted weighing the label is printed, and a
reprint may follow; each is in the batch's audit trail, attributed to who is logged in.

The label and its recording are the export's (``station.exports.print_dispense_label``: ZPL to a
printer on TCP port 9100, or a PDF); a label the printer did not take is not recorded.
"""

from __future__ import annotations

from ebr import events as ev
from gating.wording import wording
from station.engine import api
from station.engine import messages as M
from station.engine.answers import ActionError, Result
from station.engine.context import Context


def print_label(action: api.PrintLabel, ctx: Context) -> Result:
    from station.errors import CommandError
    from station.exports import print_dispense_label

    user = ctx.require_user()
    if action.after_weighing and ctx.settings.printer is None:
        return Result("done", "no label printer configured")
    with ctx.db.unit_of_work() as uow:
        state = ctx.sync(uow)
    weighed = [s for s, done in state.results.items() if isinstance(done.event, ev.WeighingAccepted)]
    step = action.step or (max(weighed, key=lambda s: state.results[s].stream_seq) if weighed else None)
    if step is None or step not in weighed:
        raise ActionError(wording(M.NO_LABEL))
    try:
        where = print_dispense_label(
            ctx.db, state.batch_id, step, user=user.user_id, printer=ctx.settings.printer
        )
    except CommandError as exc:
        raise ActionError(str(exc)) from None
    return Result("done", f"label of {step} printed to {where}")
