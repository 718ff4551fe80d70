"""A lesson page as the learners use it: the pages, the buttons found by their keys, and "Run to end"
pressed and waited for until the page says the run is done.
"""
from __future__ import annotations

from dataclasses import dataclass

from streamlit.proto.WidgetStates_pb2 import WidgetState

from .client import Session
from .records import Run

PAGES = ("linear_regression", "mini_batches", "optimizers", "logistic_regression")
STEP, RUN_ALL, RESET = r"^b\.[^.]+\.step$", r"^b\.[^.]+\.run_all$", r"^b\.[^.]+\.reset$"
RUN_N, RUN_N_BOX = r"^b\.[^.]+\.run_n_btn$", r"^w\.[^.]+\.run_n$"


def only_key(session: Session, pattern: str) -> str:
    """The user key of the one element on screen whose key matches `pattern`."""
    keys = session.keys(pattern)
    if len(keys) != 1:
        raise LookupError(f"{session.page}: expected one element keyed like {pattern}, found {keys}")
    return keys[0]


@dataclass
class RunToEnd:
    """One "Run to end" press: how long until the page reported the run done."""
    page: str
    pressed_at_step: int | None
    seconds: float | None = None  # None: not done within --run-timeout
    steps: int | None = None
    total: int | None = None
    ticks: int = 0  # run_every reruns the client sent meanwhile
    runs: int = 0  # script runs that started meanwhile


def run_done(session: Session, step_key: str) -> Run | None:
    """The run that showed a long run over: it finished showing the last step, or with Step
    disabled (the button is disabled once the run is done, diverged runs included)."""
    last = session.runs[-1] if session.runs else None
    if last is None or not last.ok:
        return None
    counter, step = session.counter, session.find(step_key)
    over = (counter is not None and counter[0] >= counter[1]) or (step is not None and step.proto.disabled)
    return last if over else None


async def run_to_step(session: Session, target: int, timeout: float) -> None:
    """Type the steps still missing to `target` into the "Run N" box and press Run N, as a learner
    does, then wait until the page shows the run at `target` (what a Step costs grows with the run)."""
    box = session.find(only_key(session, RUN_N_BOX))
    now = session.counter[0] if session.counter else 0
    if target <= now:
        return
    session.widgets[box.proto.id] = WidgetState(id=box.proto.id, int_value=target - now)
    await session.press(only_key(session, RUN_N))
    done = await session.wait_until(lambda: session.counter is not None and session.counter[0] >= target
                                    and session.runs[-1].ok and session.runs[-1].finished, timeout)
    if done is None:
        raise TimeoutError(f"{session.page}: the run did not reach step {target} in {timeout:.0f} s")


async def run_to_end(session: Session, timeout: float) -> RunToEnd:
    """Press "Run to end" and wait (the run_every ticks going) until the page says done.

    Under load no run may finish successfully until the long run is over (each tick cuts off the
    run in progress), so the press itself is not waited for: only the page saying done.
    """
    step_key = only_key(session, STEP)
    before, ticks, runs = session.counter, session.ticks_sent, len(session.runs)
    click = await session.press(only_key(session, RUN_ALL))
    record = RunToEnd(session.page, before and before[0])
    done = await session.wait_until(lambda: run_done(session, step_key), timeout)
    record.ticks, record.runs = session.ticks_sent - ticks, len(session.runs) - runs
    if session.counter is not None:
        record.steps, record.total = session.counter
    if done is not None:
        record.seconds = round(done.finished - click.sent, 3)
    return record
