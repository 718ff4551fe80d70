"""What each tutorial prints while it trains: its own line, at its own cadence, in its own numbering.

- 000 (`linreg-minibatch`) prints after every update, inside `for epoch in range(1, 100)` and
  `for batch_index, (data, label) in enumerate(dataloader)` (epochs count from 1, batches from 0):
  `print("epoch(%d) batch(%d) lossΔw,Δb,w,b, = %.3lf,%.3lf,%.3lf,%.3lf,%.3lf," % (...))`
- 002 (`linreg-module`) prints every 20 iterations of `for i in range(30000)` (i counts from 0):
  `if (i+1) % 20 == 0: print('Epoch[{}/{}], loss: {:.6f}'.format(i, 30000, loss.data))`
- 004 (`logreg-manual`) prints once an epoch: `Epoch: 000, Loss: 0.693`; d2l once an epoch:
  `epoch 1, loss 0.000050`.
- 003 (`linreg-manual`) prints every 500 iterations of `for i in range(3000)`:
  `if i % 500 == 0: print(i, loss)`, where loss is the tensor `loss_fn` returns: `0 tensor(1.2345)`.

Steps here count from 1: step s is the tutorial's iteration i = s - 1, and the loss a tutorial prints
at iteration i is the loss step s computed before its update (a record's loss, `Run.losses()[s - 1]`).
The pages show the last lines (`lines`); the CLI prints them as the run goes (`Printer`).
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

import torch

# how often each tutorial prints (in updates); presets without a per-step printout are not listed
EVERY = {"linreg-minibatch": 1, "linreg-module": 20, "linreg-manual": 500}
EPOCH_BATCH = "linreg-minibatch"  # the one tutorial that numbers its updates epoch(e) batch(i)


def line_000(epoch: int, batch: int, loss: float, grad_w: float, grad_b: float, w: float, b: float) -> str:
    """One line of tutorial 000's print, character for character (its `lossΔw,Δb,w,b,` and trailing comma)."""
    return (f"epoch({epoch}) batch({batch}) lossΔw,Δb,w,b, = "
            f"{loss:.3f},{grad_w:.3f},{grad_b:.3f},{w:.3f},{b:.3f},")


def line_002(i: int, total: int, loss: float) -> str:
    """One line of tutorial 002's print: `Epoch[19/30000], loss: 0.123456` (i counts from 0)."""
    return f"Epoch[{i}/{total}], loss: {loss:.6f}"


def line_003(i: int, loss: float) -> str:
    """One line of tutorial 003's `print(i, loss)`: the float32 loss tensor as torch prints it."""
    return f"{i} {torch.tensor(loss, dtype=torch.float32)!r}"


def line_004(epoch: int, loss: float) -> str:
    """One line of tutorial 004's per-epoch print: `Epoch: 000, Loss: 0.693` (epochs count from 0)."""
    return f"Epoch: {epoch:03d}, Loss: {loss:.3f}"


def line_d2l(epoch: int, loss: float) -> str:
    """One line of d2l's per-epoch print: `epoch 1, loss 0.000050` (epochs count from 1)."""
    return f"epoch {epoch}, loss {loss:f}"


def printed_steps(preset: str, upto: int, last: int | None = None) -> list[int]:
    """The steps up to `upto` at which the tutorial printed, oldest first (only the last `last` of them)."""
    every = EVERY.get(preset)
    if every is None or upto < 1:
        return []
    first = 1 if preset == "linreg-manual" else every
    steps = range(first, upto + 1, every)
    if last is not None:
        steps = steps[max(0, len(steps) - last):]
    return list(steps)


def where(preset: str, record: dict) -> str:
    """A step in the tutorial's own words: `epoch(1) batch(4)` for 000, `i = 41` for the loops over i."""
    if preset == EPOCH_BATCH:
        return f"epoch({record['epoch']}) batch({record['batch']})"
    return f"i = {record['step'] - 1}"


def lines_000(records: Sequence[dict]) -> list[str]:
    """Tutorial 000's print of several records (step, epoch, batch, loss, grad_w, grad_b, w, b), oldest first."""
    return [line_000(r["epoch"], r["batch"], r["loss"], r["grad_w"], r["grad_b"], r["w"], r["b"]) for r in records]


def lines(preset: str, losses: Sequence[float], records: Sequence[dict], total: int, last: int = 15) -> list[str]:
    """What the tutorial had printed by now: its last `last` lines, oldest first.

    losses: every step's loss so far (`Run.losses()`); records: the newest detailed records (000 prints
    the gradients and parameters of every step); total: the loop's length, which 002 prints.
    """
    if preset == EPOCH_BATCH:
        return lines_000(list(records)[-last:])
    out = []
    for s in printed_steps(preset, len(losses), last):
        loss = float(losses[s - 1])
        out.append(line_002(s - 1, total, loss) if preset == "linreg-module" else line_003(s - 1, loss))
    return out


class Printer:
    """Prints a run's progress as it trains (the CLI), the way its tutorial prints, from the recorded history."""

    def __init__(self, run, out=None, err=None):
        self.run, self.out, self.err = run, out or sys.stdout, err or sys.stderr
        self.printed = 0
        self.bar = self.err.isatty() and run.total_steps > 2000
        c = run.config
        if c.loss == "half_squared":
            self.style = "d2l"
        elif c.task == "logreg":
            self.style = "epoch"
        elif c.impl == "module" or c.optimizer != "sgd":
            self.style = "every20"
        elif c.mode == "batch":
            self.style = "every500"
        else:
            self.style = "batch"

    def __call__(self, run) -> None:
        self.flush()
        if self.bar:
            frac = run.step_count / max(run.total_steps, 1)
            filled = int(30 * frac)
            self.err.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {run.step_count:,}/{run.total_steps:,}")
            self.err.flush()

    def flush(self) -> None:
        run = self.run
        new = run.step_count - self.printed
        if new <= 0:
            return
        L = run.losses()
        lines = []
        if self.style == "batch":
            for rec in run.records(last=new):
                grads = [rec[f"grad_{k}"] for k in run.param_columns]
                params = [rec[k] for k in run.param_columns]
                if len(params) == 2:  # one feature: tutorial 000's line, character for character
                    lines.append(line_000(rec["epoch"], rec["batch"], rec["loss"], *grads, *params))
                else:
                    lines.append(f"epoch({rec['epoch']}) batch({rec['batch']}) lossΔw,Δb,w,b, = "
                                 + ",".join(f"{v:.3f}" for v in [rec["loss"]] + grads + params) + ",")
        elif self.style in ("every20", "every500"):
            every = 20 if self.style == "every20" else 500
            for i in range(self.printed, run.step_count):
                if self.style == "every20" and (i + 1) % every == 0:
                    lines.append(line_002(i, run.total_steps, L[i]))
                elif self.style == "every500" and i % every == 0:
                    lines.append(line_003(i, L[i]))
        else:
            spe = run.steps_per_epoch
            epoch_losses = run.epoch_losses()
            for i in range(self.printed, run.step_count):
                if (i + 1) % spe == 0:
                    e = (i + 1) // spe
                    if self.style == "epoch":
                        lines.append(line_004(e - 1, L[i]))
                    elif e - 1 < len(epoch_losses):
                        lines.append(line_d2l(e, epoch_losses[e - 1]))
        if lines:
            self.out.write("\n".join(lines) + "\n")
        self.printed = run.step_count

    def finish(self, result) -> None:
        self.flush()
        if self.bar:
            self.err.write("\n")
        run = self.run
        d = result.to_dict()
        if self.style == "d2l" and run.data.true_w is not None:
            errs = [tw - w for tw, w in zip(run.data.true_w, d["params"]["w"])]
            self.out.write(f"w的估计误差 (error of w): {[round(e, 6) for e in errs]}\n")
            self.out.write(f"b的估计误差 (error of b): {run.data.true_b - d['params']['b'][0]:.6f}\n")
        if run.config.task == "logreg":
            self.out.write(f"accuracy = {d['accuracy']:.4f}\n")
        from .api import summary_message
        from .i18n import english

        self.out.write(f"{summary_message(run, stall=False)} in {d['seconds']:.2f} s on {d['device']}\n")
        if run.stall is not None:
            self.out.write(english(run.stall.message()) + "\n")
        self.out.write(f"w = {d['params']['w']}\nb = {d['params']['b']}\n")
