"""The headless runner: a batch script's actions through the engine, expectations checked.

It prints one line per action as soon as the engine has answered, that is after the
action's transaction committed (or was refused and the refusal committed): a line that
reads `recorded` is durable. Crash tests rely on exactly that.
"""

from __future__ import annotations

import sys
from typing import TextIO

from station.engine import api
from station.engine.engine import Engine
from station.engine.script import BatchScript, ScriptStep


def _where(script: BatchScript, step: ScriptStep) -> str:
    return f"{script.path}:{step.line}"


# Actions that belong to the session, not to the batch record: always carried out again.
_SESSION_ACTIONS = (api.Login, api.Logout, api.StartBatch, api.OpenBatch, api.ChangePassword)


def run_script(
    engine: Engine, script: BatchScript, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the script's actions; 0 when every action went as expected, 1 at the first action
    refused or failed against the script's expectations.

    Every batch action carries a request id (the script's hash and the action's index). Run
    again after a crash, the script skips the actions the batch record already holds and
    resumes at the first one it does not: no action is done twice, none is lost. An action
    recorded before is judged again against the script's expectation as it was recorded: a
    script that failed on a refusal fails again, however often it is run."""
    out = out or sys.stdout
    err = err or sys.stderr
    done = engine.recorded_requests(script.batch_id) if script.batch_id else {}
    for index, step in enumerate(script.steps):
        request = f"{script.digest}:{index}"
        if request in done and not isinstance(step.action, _SESSION_ACTIONS):
            problem = _check_recorded(step, done[request])
            if problem is not None:
                print(f"{_where(script, step)}: {step.describe()}: {problem}", file=err, flush=True)
                return 1
            print(
                f"skipped {index} line {step.line}: {step.describe()}: recorded before", file=out, flush=True
            )
            continue
        is_session = isinstance(step.action, _SESSION_ACTIONS)
        outcome = engine.dispatch(step.action, request_id=None if is_session else request)
        problem = _check(step, outcome)
        if problem is not None:
            print(f"{_where(script, step)}: {step.describe()}: {problem}", file=err, flush=True)
            return 1
        codes = ",".join(outcome.reasons)
        print(
            f"recorded {index} line {step.line}: {step.describe()}: {outcome.status}"
            + (f" [{codes}]" if codes else "")
            + f" - {outcome.message}",
            file=out,
            flush=True,
        )
    state = engine.state()
    if state.batch is not None:
        print(
            f"batch {state.batch.batch_id}: {state.batch.status.replace('_', ' ')}"
            + (f", next step {state.batch.current_step}" if state.batch.current_step else ""),
            file=out,
            flush=True,
        )
    return 0


def _check_recorded(step: ScriptStep, recorded: api.Recorded) -> str | None:
    """An action recorded by an earlier run, against what the script expects of it."""
    problem = _judge(step, recorded.status, recorded.reasons, "as recorded before")
    return None if problem is None else f"{problem} (recorded by an earlier run)"


def _check(step: ScriptStep, outcome: api.Outcome) -> str | None:
    if outcome.status == "error":
        return f"failed: {outcome.message}"
    return _judge(step, outcome.status, outcome.reasons, outcome.message)


def _judge(step: ScriptStep, status: str, reasons: tuple[str, ...], message: str) -> str | None:
    expect = step.expect
    if expect is None:
        if status == "done":
            return None
        what = "refused" if status == "refused" else "opened a deviation"
        return f"{what}: {', '.join(reasons)}: {message}"
    if status != expect.outcome:
        got = status + (f" ({', '.join(reasons)}: {message})" if reasons else "")
        return (
            f"expected {expect.outcome}"
            + (f" with {expect.reason}" if expect.reason else "")
            + f", but it was {got}"
        )
    if expect.reason and expect.reason not in reasons:
        return (
            f"expected reason {expect.reason}, but the reasons were {', '.join(reasons) or 'none'}: {message}"
        )
    return None
