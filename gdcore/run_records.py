"""What a run shows: parameters, gradients, losses, per-step records, why it stopped; all on the CPU."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from . import reference
from .divergence import explanation
from .i18n import Message, Translator, english


def step_position(step: int, steps_per_epoch: int) -> tuple[int, int]:
    """(epoch, batch) of the 1-based `step`, numbered as tutorial 000 prints them: epochs from 1
    (`for epoch in range(1, 100)`), batches from 0 (`enumerate(dataloader)`)."""
    return (step - 1) // steps_per_epoch + 1, (step - 1) % steps_per_epoch


class RunRecords:
    """The readers of gdcore.engine.Run; each brings staged steps to the host first (`sync`)."""

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The model's parameters as CPU tensors: nn.Module's own state_dict, or {"w", "b"} by hand."""
        self.sync()
        if self.config.impl == "module":
            return {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}
        return {"w": self.model.w.detach().cpu().clone(), "b": self.model.b.detach().cpu().clone()}

    def params(self) -> dict[str, list[float]]:
        """Current parameters as flat lists: {"w": [...], "b": [...]}."""
        self.sync()
        w, b = self.model.linear_params()
        return {"w": [float(v) for v in w.cpu()], "b": [float(v) for v in b.cpu()]}

    def grads(self) -> dict[str, list[float]]:
        """Gradients left by the last step, as flat lists."""
        self.sync()
        out = {}
        for name, p in self.model.named():
            out[name] = [float(v) for v in p.grad.detach().reshape(-1).cpu()]
        return out

    def losses(self) -> np.ndarray:
        """Per-step training loss (the run's precision, one per step, finite)."""
        self.sync()
        return self.history.losses()

    def epoch_losses(self) -> list[float]:
        """Training loss over the whole training set after each completed epoch."""
        self.sync()
        c = self.config
        if c.mode == "batch" and not c.full_tensor_pitfall:
            # in batch mode the loss a step computes is the loss after the previous epoch
            L = self.history.losses()
            if len(L) == 0:
                return []
            return [float(v) for v in L[1:]] + [self.current_loss()]
        return list(self.history.epoch_loss)

    def val_losses(self) -> list[float]:
        self.sync()
        return list(self.history.epoch_val)

    def current_loss(self) -> float:
        """Loss over the whole training set at the current parameters."""
        self.sync()
        if self._final_eval is None or self._final_eval[0] != self.step_count:
            self._final_eval = (self.step_count, float(self._eval(self.X, self.y)))
        return self._final_eval[1]

    def accuracy(self, X: torch.Tensor | None = None, y: torch.Tensor | None = None) -> float | None:
        """Share of samples classified right (logistic regression only)."""
        if self.config.task != "logreg":
            return None
        self.sync()
        X = self.X if X is None else X.to(self.device)
        y = self.y if y is None else y.to(self.device)
        with torch.no_grad():
            z = self.model.logits(X).reshape(-1)
            return float(((z > 0).float() == y.reshape(-1)).float().mean())

    @torch.no_grad()
    def predict(self, X) -> np.ndarray:
        """Model output for new inputs (probabilities for logistic regression), on the CPU."""
        X = torch.as_tensor(X, dtype=torch.float32).reshape(-1, self.data.n_features)
        X = (X if self.scaler is None else self.scaler.transform(X)).to(self.device, self.dtype)  # raw inputs
        if isinstance(self.model, nn.Module):
            self.model.eval()
        out = self.model(X)
        return out.reshape(-1).cpu().numpy()

    def records(self, last: int | None = None) -> list[dict]:
        """Per-step records (step, epoch, batch, loss, parameters, gradients, optimizer state)."""
        self.sync()
        steps, rows = self.history.detail(last=last)
        L = self.history.losses()
        cols = self.history.columns
        spe = self.steps_per_epoch
        out = []
        for s, row in zip(steps.tolist(), rows.tolist()):
            epoch, batch = step_position(s, spe)
            rec = {"step": s, "epoch": epoch, "batch": batch, "loss": float(L[s - 1])}
            rec.update(zip(cols, row))
            out.append(rec)
        return out

    def series(self, *names: str) -> tuple[np.ndarray, ...]:
        """(steps, then one float64 array per named history column) of the rows records() gives, without
        building a dict per step: what a chart of the whole run reads on every Step."""
        self.sync()
        steps, rows = self.history.detail()
        cols = self.history.columns
        return (steps, *(rows[:, cols.index(name)].astype(np.float64) for name in names))

    def seconds(self) -> float:
        return self.history.seconds

    def lambda_max(self) -> float | None:
        if self.config.task != "linreg":
            return None
        if self._lambda_max is None:
            self._lambda_max = reference.lambda_max(self.train_data.X, self.config.loss)
        return self._lambda_max

    def stability_limit(self) -> float | None:
        """Full-batch lr limit for this data, loss and optimizer (None where none applies)."""
        c = self.config
        if c.task != "linreg" or c.optimizer not in ("sgd", "momentum", "nesterov"):
            return None
        return reference.stability_limit(self.train_data.X, c.loss, c.optimizer, c.momentum)

    def explanation(self) -> list[Message]:
        """Why the run stopped, as Messages for the page to translate (empty while it runs)."""
        if self.divergence is None:
            return []
        return explanation(self.divergence, self.config, self.n, self.batch_size, self.stability_limit())

    def explain(self, T: Translator | None = None) -> str:
        """`explanation()` in T's language (English by default): for callers that show a sentence."""
        return T(self.explanation()) if T is not None else english(self.explanation())

    @property
    def message(self) -> str:
        """Why the run stopped, in English ("" while it runs): the CLI's and the API's sentence."""
        return english(self.explanation())
