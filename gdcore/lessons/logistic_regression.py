"""Lesson 'Logistic regression': configs for the variants, the decision boundary, the current sample.

Pure gdcore (no streamlit). The boundary is the line w1·x1 + w2·x2 + b = 0, clipped to the data's
box; the page draws it from the run's current parameters on every step.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import limits
from ..config import Config
from ..downsample import MAX_POINTS, minmax_indices
from ..engine import Run
from ..errors import ConfigError
from ..i18n import Message
from ..links import Field
from ..presets import preset_config

PRESET = "logreg-manual"
PER_STEP_SAMPLE, PER_STEP_BATCH, PER_EPOCH = (Message.of(f"logistic_regression.series.{k}")
                                               for k in ("per_step_sample", "per_step_batch", "per_epoch"))
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000)
MODES = ("stochastic", "minibatch", "batch")
LOADERS = ("index", "dataloader")
IMPLS = ("manual", "module")
SOURCES = ("tutorial", "upload")  # the page's data choice
MINIBATCH_SIZES = tuple(v for v in BATCH_SIZES if 1 < v <= 1000)  # the page's batch_size options
LR_RANGE = limits.LOGREG_LR  # the page's lr input
EPOCH_RANGE = limits.LOGREG_EPOCHS  # num_epochs: full batch runs up to the engine's step cap

# -- share links ----------------------------------------------------------------------------------
LINK_FIELDS: list[Field] = [
    Field("data", "w.logistic_regression.source", "choice", choices=SOURCES),
    Field("impl", "w.logistic_regression.impl", "choice", choices=IMPLS),
    Field("safe", "w.logistic_regression.safe", "bool"),
    Field("mode", "w.logistic_regression.mode", "choice", choices=MODES),
    Field("batch_size", "w.logistic_regression.batch_size", "choice", choices=MINIBATCH_SIZES),
    Field("loader", "w.logistic_regression.loader", "choice", choices=LOADERS),
    Field("shuffle", "w.logistic_regression.shuffle", "bool"),
    Field("lr", "w.logistic_regression.lr", "float", *LR_RANGE, log=True),
    Field("epochs", "w.logistic_regression.epochs", "int", *EPOCH_RANGE),
    Field("log", "w.logistic_regression.log", "bool"),
]
# presets: the tutorial button; data: tutorial points or upload; loss: implementation + safe loss;
# steps: samples per step, batch_size, loader, shuffle, num_epochs; lr; controls: Step/Epoch/Run.
HIDE_GROUPS: tuple[str, ...] = ("presets", "data", "loss", "steps", "lr", "controls")

# (impl, safe) -> loss: the tutorial's hand-written log, nn.BCELoss, or the logits form.
_LOSSES = {("manual", False): "bce_manual", ("manual", True): "bce_logits",
           ("module", False): "bce", ("module", True): "bce_logits"}

LOSS_CODE = {
    "bce_manual": "loss = -(torch.log(y_hat) * y + (1 - y) * torch.log(1 - y_hat))",
    "bce": "criterion = nn.BCELoss()\nloss = criterion(model(x), y)   # model ends in sigmoid",
    "bce_logits": "criterion = nn.BCEWithLogitsLoss()\nloss = criterion(z, y)   # z = w·x + b, no sigmoid before",
}


def loss_for(impl: str, safe: bool) -> str:
    """The loss a variant uses: manual -> the tutorial's log form; module -> nn.BCELoss; safe -> logits."""
    try:
        return _LOSSES[(impl, bool(safe))]
    except KeyError:
        raise ConfigError(Message.of("logistic_regression.errors.unknown_impl", impl=impl)) from None


def variant_config(seed: int | None = None, device: str = "cpu", impl: str = "manual", safe: bool = False,
                   mode: str = "stochastic", batch_size: int = 1, loader: str = "index",
                   shuffle: bool = False, lr: float = 0.001, epochs: int = 100,
                   steps: int | None = None) -> Config:
    """The logreg-manual preset with the lesson's knobs applied (validated; ConfigError on bad input)."""
    if mode not in MODES:
        raise ConfigError(Message.of("logistic_regression.errors.unknown_mode", mode=mode, choices=", ".join(MODES)))
    base = preset_config(PRESET)
    bs = 1 if mode == "stochastic" else (base.n if mode == "batch" else int(batch_size))
    if mode == "minibatch" and bs > base.n:
        raise ConfigError(Message.of("logistic_regression.errors.batch_too_large", batch=bs, n=base.n))
    changes = dict(impl=impl, loss=loss_for(impl, safe), mode=mode, batch_size=bs, loader=loader,
                   shuffle=bool(shuffle), lr=lr, epochs=int(epochs), steps=steps, device=device)
    if seed is not None:
        changes["seed"] = int(seed)
    return base.replace(**changes)


# -- geometry -------------------------------------------------------------------------------------

def data_box(X, pad: float = 0.05) -> tuple[float, float, float, float]:
    """(x1 min, x1 max, x2 min, x2 max) of the first two features, widened by `pad` of each span."""
    X = np.asarray(X, dtype=np.float64)
    lo, hi = X[:, :2].min(axis=0), X[:, :2].max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    lo, hi = lo - pad * span, hi + pad * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def boundary_segment(w, b: float, box) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The part of the line w1·x1 + w2·x2 + b = 0 inside box = (x1lo, x1hi, x2lo, x2hi).

    Returns its two end points, or None when the line misses the box (or w is zero / not finite).
    """
    w1, w2 = float(w[0]), float(w[1])
    b = float(b)
    x1lo, x1hi, x2lo, x2hi = box
    if not all(math.isfinite(v) for v in (w1, w2, b)) or (w1 == 0 and w2 == 0):
        return None
    pts = []
    if w2 != 0:  # crossings with the vertical edges x1 = x1lo, x1hi
        for x1 in (x1lo, x1hi):
            x2 = -(w1 * x1 + b) / w2
            if x2lo - 1e-12 <= x2 <= x2hi + 1e-12:
                pts.append((x1, min(max(x2, x2lo), x2hi)))
    if w1 != 0:  # crossings with the horizontal edges x2 = x2lo, x2hi
        for x2 in (x2lo, x2hi):
            x1 = -(w2 * x2 + b) / w1
            if x1lo - 1e-12 <= x1 <= x1hi + 1e-12:
                pts.append((min(max(x1, x1lo), x1hi), x2))
    uniq = []
    for p in pts:  # a corner is found twice
        if all(abs(p[0] - q[0]) > 1e-9 or abs(p[1] - q[1]) > 1e-9 for q in uniq):
            uniq.append(p)
    if len(uniq) < 2:
        return None
    # the two points farthest apart (more than two only when the line runs through corners)
    best = max(((p, q) for i, p in enumerate(uniq) for q in uniq[i + 1:]),
               key=lambda pq: (pq[0][0] - pq[1][0]) ** 2 + (pq[0][1] - pq[1][1]) ** 2)
    return tuple(sorted(best))


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)) in float64, without overflow warnings."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def probability_grid(w, b: float, box, k: int = 40) -> pd.DataFrame:
    """ŷ = σ(w1·x1 + w2·x2 + b) on a k×k grid of cells over box: x1, x2 (cell corner), x1e, x2e, y_hat."""
    x1lo, x1hi, x2lo, x2hi = box
    e1 = np.linspace(x1lo, x1hi, k + 1)
    e2 = np.linspace(x2lo, x2hi, k + 1)
    c1, c2 = (e1[:-1] + e1[1:]) / 2, (e2[:-1] + e2[1:]) / 2
    A, B = np.meshgrid(np.arange(k), np.arange(k))
    z = float(w[0]) * c1[A] + float(w[1]) * c2[B] + float(b)
    return pd.DataFrame({"x1": e1[:-1][A].ravel(), "x1e": e1[1:][A].ravel(), "x2": e2[:-1][B].ravel(),
                         "x2e": e2[1:][B].ravel(), "y_hat": sigmoid(z).ravel()})


def points_frame(run: Run) -> pd.DataFrame:
    """The training samples: x1, x2, y (as 'class 0' / 'class 1') and the index."""
    X = run.data.X.numpy()
    y = run.data.y.reshape(-1).numpy()
    return pd.DataFrame({"i": np.arange(len(X)), "x1": X[:, 0].astype(float), "x2": X[:, 1].astype(float),
                         "y": [f"class {int(v)}" for v in y]})


def boundary(run: Run, box=None):
    """(segment, box) of the run's current decision boundary."""
    box = data_box(run.data.X.numpy()) if box is None else box
    p = run.params()
    return boundary_segment(p["w"], p["b"][0], box), box


def true_boundary(run: Run, box=None):
    """The line the labels were made from (None for uploaded data)."""
    ds = run.data
    if ds.true_w is None or len(ds.true_w) < 2:
        return None
    box = data_box(ds.X.numpy()) if box is None else box
    return boundary_segment(ds.true_w, ds.true_b or 0.0, box)


def current_sample(run: Run) -> dict | None:
    """The last sample the last step used: index, x1, x2, y, z = w·x + b and ŷ = σ(z) at the current w, b."""
    if run.step_count == 0 or not run.last_batch:
        return None
    i = int(run.last_batch[-1])
    x = run.data.X[i].numpy().astype(np.float64)
    y = float(run.data.y.reshape(-1)[i])
    p = run.params()
    z = float(np.dot(np.asarray(p["w"], float), x[: len(p["w"])]) + p["b"][0])
    return {"i": i, "x1": float(x[0]), "x2": float(x[1]), "y": y, "z": z, "y_hat": float(sigmoid(z))}


def printed_losses(run: Run) -> pd.DataFrame:
    """What the tutorial prints: the last step's loss of every completed epoch ('Epoch: 000, Loss: ...')."""
    L = run.losses()
    spe = run.steps_per_epoch
    done = len(L) // spe
    idx = np.arange(1, done + 1) * spe - 1
    return pd.DataFrame({"epoch": np.arange(done), "loss": L[idx].astype(float)})


def loss_parts(run: Run, max_points: int = MAX_POINTS) -> list[tuple[Message, np.ndarray, np.ndarray]]:
    """(name, steps, losses) of the per-step loss (downsampled) and of the full-data loss after each epoch,
    on one step axis: what a Step draws, without a frame. The names are Messages the page translates
    (PER_STEP_SAMPLE, PER_STEP_BATCH, PER_EPOCH)."""
    L = np.asarray(run.losses(), dtype=np.float64)
    steps = np.arange(1, len(L) + 1)
    idx = minmax_indices(L, max_points)
    ep = run.epoch_losses()
    ends = (np.arange(1, len(ep) + 1) * run.steps_per_epoch)[: len(ep)]
    return [(PER_STEP_BATCH if run.batch_size > 1 else PER_STEP_SAMPLE, steps[idx], L[idx]),
            (PER_EPOCH, ends, np.asarray(ep, float))]


def loss_frames(run: Run, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """loss_parts(...) as one frame with a series column (of Messages)."""
    frames = [pd.DataFrame({"step": s, "loss": v, "series": name}) for name, s, v in loss_parts(run, max_points)]
    return pd.concat(frames, ignore_index=True)
