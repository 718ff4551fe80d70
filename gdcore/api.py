"""The single entry point: run a preset to the end and get a result the CLI prints as JSON."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .data import Dataset
from .engine import Run
from .i18n import english
from .presets import preset_config


@dataclass
class Result:
    """A finished (or stopped) run, reduced to plain values."""

    run: Run

    @property
    def status(self) -> str:
        return self.run.status

    @property
    def params(self) -> dict[str, list[float]]:
        return self.run.params()

    def to_dict(self) -> dict:
        """Exactly the JSON object `python -m gdcore train ... --json` prints."""
        r = self.run
        losses = r.losses()
        out = {
            "preset": r.config.preset,
            "config": r.config.to_dict(),
            "params": r.params(),
            "loss": [float(v) for v in losses.tolist()],
            "epoch_loss": r.epoch_losses(),
            "val_loss": r.val_losses(),
            "steps": r.step_count,
            "epochs": r.epoch,
            "status": r.status,
            "diverged_at": None if r.divergence is None else r.divergence.step,
            "stall": None if r.stall is None else r.stall.to_dict(),
            "message": summary_message(r),
            "device": str(r.device),
            "seconds": round(r.seconds(), 6),
        }
        if r.config.task == "logreg":
            out["accuracy"] = r.accuracy()
        return out


def summary_message(run: Run, stall: bool = True) -> str:
    """One sentence on how the run ended (and, with `stall`, one on rounding that stopped it)."""
    if run.status == "diverged":
        return run.message
    if run.step_count == 0:
        return "not started"
    loss = run.current_loss()
    if run.step_count < run.total_steps:
        text = f"stopped after {run.step_count:,} of {run.total_steps:,} steps; loss {loss:.6g}"
    else:
        text = f"trained {run.step_count:,} steps ({run.epoch:,} epochs); loss {loss:.6g}"
    return text if run.stall is None or not stall else f"{text}. {english(run.stall.message())}"


def run_preset(name: str, data: Dataset | None = None,
               callback: Callable[[Run], bool | None] | None = None, **overrides) -> Result:
    """Run a preset to the end. Overrides are named like the CLI flags: seed, lr, epochs, steps,
    batch_size, optimizer, device (and any other Config field)."""
    run = Run(preset_config(name, **overrides), data)
    run.run(callback=callback)
    return Result(run)
