"""A finished sweep as plain host values, and the readers the lessons, charts and CLI use."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import Config


@dataclass
class SweepResult:
    """R finished runs as plain host values (nothing here holds a tensor)."""

    config: Config  # the shared configuration (its own lr is not used)
    lrs: list[float]
    steps: int  # steps trained (rows of `losses`); total_steps unless every run diverged or a stop
    total_steps: int  # steps each run was set to take
    seconds: float
    device: str
    losses: np.ndarray  # (steps, R) float32, finite: run i's per-step loss in rows < lengths[i], 0 after
    lengths: np.ndarray  # (R,) steps each run recorded (diverged_at - 1 for a diverged run)
    diverged_at: list[int | None]  # 1-based step of the first non-finite value, as run.divergence.step
    diverged_what: list[str | None]  # "loss", "parameters" or "optimizer state"
    final_loss: list[float | None]  # loss over the whole training set at the final parameters
    w: np.ndarray  # (R, d) final (last finite) weights
    b: np.ndarray  # (R,) final (last finite) biases
    param_columns: list[str] = field(default_factory=lambda: ["w", "b"])
    steps_per_epoch: int = 1  # batches in one pass over the data
    stability_limit: float | None = None  # full-batch lr limit of this data (linreg, sgd/momentum)
    lambda_max: float | None = None  # largest curvature of the loss (linreg)
    lambda_min: float | None = None  # smallest curvature of the loss (linreg)
    stopped: bool = False  # the callback stopped the sweep early

    @property
    def n_runs(self) -> int:
        return len(self.lrs)

    @property
    def status(self) -> list[str]:
        return ["ok" if d is None else "diverged" for d in self.diverged_at]

    @property
    def best(self) -> int | None:
        """Index of the run with the lowest final loss (None when every run diverged)."""
        ok = [(v, i) for i, v in enumerate(self.final_loss) if v is not None]
        return min(ok)[1] if ok else None

    def loss_history(self, i: int) -> np.ndarray:
        """Run i's per-step loss, only the steps it took before any divergence (all finite)."""
        return self.losses[: int(self.lengths[i]), i]

    def params(self, i: int) -> dict[str, list[float]]:
        """Run i's final parameters, shaped like `Run.params()`."""
        return {"w": [float(v) for v in self.w[i]], "b": [float(self.b[i])]}

    def records(self) -> list[dict]:
        """One plain dict per run: lr, final_loss, status, diverged_at, w (list), b."""
        return [{"lr": lr, "final_loss": fl, "status": st, "diverged_at": d,
                 "w": [float(v) for v in self.w[i]], "b": float(self.b[i])}
                for i, (lr, fl, st, d) in enumerate(zip(self.lrs, self.final_loss, self.status, self.diverged_at))]

    def to_dict(self) -> dict:
        """Exactly the JSON object `python -m gdcore sweep ... --json` prints."""
        return {
            "preset": self.config.preset,
            "lrs": list(self.lrs),
            "final_loss": list(self.final_loss),
            "status": self.status,
            "diverged_at": list(self.diverged_at),
            "params": [self.params(i) for i in range(self.n_runs)],
            "steps": self.steps,
            "seconds": round(self.seconds, 6),
            "device": self.device,
            "stability_limit": self.stability_limit,
        }
