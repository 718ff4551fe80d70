"""What the client measures: each script run it saw, each click and the run that answered it, the
exceptions the server put on screen.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

SUCCESS = frozenset({ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY})


@dataclass
class Run:
    """One script run as this client saw it, from its new_session to its script_finished."""
    index: int  # runs this session saw start before this one
    run_id: str
    fragment_ids: tuple[str, ...]
    started: float  # time.perf_counter() when its new_session arrived
    finished: float | None = None
    status: int | None = None
    bytes: int = 0  # every ForwardMsg byte received while it ran, new_session and script_finished included
    counter: tuple[int, int] | None = None  # (step, total) from the status line this run drew

    @property
    def ok(self) -> bool:
        return self.status in SUCCESS


@dataclass
class Click:
    """One button press and the run that answered it (None while unanswered or timed out)."""
    key: str
    sent: float
    index: int  # runs the session had seen start when it was sent: the answer starts later
    before: tuple[int, int] | None  # the status line's (step, total) when it was sent
    run: Run | None = None

    @property
    def latency(self) -> float | None:
        return None if self.run is None else self.run.finished - self.sent

    @property
    def moved(self) -> int | None:
        """How far the step counter moved (None if either end was not shown)."""
        if self.run is None or self.before is None or self.run.counter is None:
            return None
        return self.run.counter[0] - self.before[0]


@dataclass
class Exceptions:
    """Exception elements (and compile errors) the server put on this session's screen."""
    shown: int = 0
    with_traceback: int = 0
    samples: list[str] = field(default_factory=list)

    def add(self, exc) -> None:
        self.shown += 1
        self.with_traceback += bool(exc.stack_trace)
        if len(self.samples) < 3:
            self.samples.append(f"{exc.type}: {exc.message[:200]}")
