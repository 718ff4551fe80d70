"""gdcore.history: bounded memory, thinning, non-finite rows; records against analytic gradients."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gdcore.engine import init
from gdcore.history import History
from gdcore.presets import preset_config

COLS = ["w", "b", "grad_w", "grad_b"]


def _feed(h: History, first: int, count: int) -> None:
    """Write steps first..first+count-1 (1-based): loss = s, w = s, b = -s, grad_w = 2s, grad_b = 0.5."""
    lv, pv, gv, _ = h.row_views(2, 0)
    for s in range(first, first + count):
        j = h.j
        lv[j].fill_(float(s))
        pv[j].copy_(torch.tensor([float(s), -float(s)]))
        gv[j].copy_(torch.tensor([2.0 * s, 0.5]))
        h.j = j + 1
        if h.j == h.chunk:
            assert h.flush() is None
    assert h.flush() is None


def _expected_rows(steps: np.ndarray) -> np.ndarray:
    s = steps.astype(np.float32)
    return np.stack([s, -s, 2 * s, np.full_like(s, 0.5)], 1)


def test_window_and_thinned_store_keep_the_right_steps():
    window, cap, chunk = 16, 8, 8
    h = History(COLS, torch.device("cpu"), chunk=chunk, window=window, thin_cap=cap)
    N = 1000
    _feed(h, 1, N)
    assert h.n_steps == N
    assert np.array_equal(h.losses(), np.arange(1, N + 1, dtype=np.float32))  # every loss kept
    steps, rows = h.detail()
    assert np.all(np.diff(steps) > 0)
    assert np.array_equal(rows, _expected_rows(steps))  # each kept row is that step's row
    # the window: every one of the most recent steps
    assert np.array_equal(steps[-window:], np.arange(N - window + 1, N + 1))
    # the thinned part: evenly spaced, starting at step 1, at most thin_cap rows, reaching the window
    older = steps[:-window]
    assert older[0] == 1
    assert 2 <= len(older) <= cap
    gaps = np.diff(older)
    assert np.all(gaps == gaps[0])
    assert steps[-window] - older[-1] <= gaps[0]
    # last=k: the k newest steps
    s3, r3 = h.detail(last=3)
    assert s3.tolist() == [N - 2, N - 1, N] and np.array_equal(r3, _expected_rows(s3))
    assert h.detail(last=10_000)[0].tolist() == list(range(N - window + 1, N + 1))


def test_memory_is_bounded_whatever_the_run_length():
    window, cap, chunk, D = 32, 16, 8, len(COLS)
    h = History(COLS, torch.device("cpu"), chunk=chunk, window=window, thin_cap=cap)
    _feed(h, 1, 2_000)
    fixed_small = h.nbytes() - h.loss.a.nbytes
    _feed(h, 2_001, 48_000)
    N = 50_000
    fixed_big = h.nbytes() - h.loss.a.nbytes
    # the detail part does not grow with the run; the loss part is at most ~4 bytes a step (doubling)
    bound = (window + 2 * cap + chunk) * (D * 4 + 8) + chunk * (1 + D) * 4
    assert fixed_big <= bound and fixed_small <= bound
    assert fixed_big == fixed_small
    assert h.loss.a.nbytes <= 2 * 4 * N
    steps, rows = h.detail()
    assert len(steps) <= window + cap
    assert steps[0] == 1 and steps[-1] == N
    assert np.array_equal(h.losses(), np.arange(1, N + 1, dtype=np.float32))


def test_flush_drops_rows_from_the_first_non_finite_value():
    h = History(COLS, torch.device("cpu"), chunk=8, window=16, thin_cap=8)
    _feed(h, 1, 5)
    lv, pv, gv, _ = h.row_views(2, 0)
    for k, s in enumerate(range(6, 11)):
        lv[k].fill_(float(s))
        pv[k].copy_(torch.tensor([float(s), -float(s)]))
        gv[k].copy_(torch.tensor([2.0 * s, 0.5]))
    gv[3][1] = float("inf")  # step 9's grad_b
    pv[4][0] = float("nan")
    h.j = 5
    assert h.flush() == (3, 1 + 2 + 1)  # row 3, column grad_b (after loss, w, b, grad_w)
    assert h.losses().tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    steps, rows = h.detail()
    assert steps.tolist() == list(range(1, 9)) and np.isfinite(rows).all()
    h.truncate(6)
    assert h.losses().tolist() == [1, 2, 3, 4, 5, 6]


# -- records from real runs ------------------------------------------------------------------

@pytest.mark.parametrize("name,overrides", [
    ("linreg-minibatch", dict(steps=1000)),
    ("linreg-d2l", dict(steps=300)),
    ("linreg-minibatch", dict(steps=600, impl="module", optimizer="adam", lr=0.05)),
    ("logreg-manual", dict(steps=1000)),
])
def test_per_step_recording_equals_chunked_recording(name, overrides):
    cfg = preset_config(name, **overrides)
    a, b = init(cfg), init(cfg)
    n = cfg.steps
    returned = [a.step() for _ in range(n)]
    assert b.run(n) == n
    assert a.step_count == b.step_count == n
    assert np.array_equal(a.losses(), b.losses())
    assert a.records() == b.records()
    assert returned == a.records()  # each step() returned exactly the record it stored
    assert a.params() == b.params()


def _mse_grad(x: np.ndarray, y: np.ndarray, w: float, b: float):
    A = np.hstack([x.reshape(-1, 1), np.ones((len(x), 1))])
    r = A @ np.array([w, b]) - y.reshape(-1)
    return float(np.mean(r ** 2)), 2 / len(x) * A.T @ r


def test_records_keys_and_gradients_are_the_analytic_mse_gradient():
    run = init(preset_config("linreg-minibatch", steps=30))
    X, y = run.data.X.double().numpy(), run.data.y.double().numpy()
    spe = run.steps_per_epoch
    expected_pos = [(e, i) for e in range(1, 100) for i in range(spe)]  # the tutorial's loop
    for k in range(1, 31):
        before = run.params()
        rec = run.step()
        idx = run.last_batch
        assert len(idx) in (20, 10)
        assert set(rec) == {"step", "epoch", "batch", "loss", "w", "b", "grad_w", "grad_b"}
        assert rec["step"] == k and (rec["epoch"], rec["batch"]) == expected_pos[k - 1]
        loss, g = _mse_grad(X[idx], y[idx], before["w"][0], before["b"][0])
        assert rec["loss"] == pytest.approx(loss, rel=1e-5)
        assert [rec["grad_w"], rec["grad_b"]] == pytest.approx(g.tolist(), rel=1e-4, abs=1e-5)
        after = run.params()
        assert [rec["w"], rec["b"]] == [after["w"][0], after["b"][0]]
        assert rec["w"] == pytest.approx(before["w"][0] - 0.01 * rec["grad_w"], rel=1e-6, abs=1e-7)
        assert run.grads() == {"w": [rec["grad_w"]], "b": [rec["grad_b"]]}
    last = run.records(last=5)
    assert [r["step"] for r in last] == [26, 27, 28, 29, 30]


def _bce_grad(X: np.ndarray, y: np.ndarray, theta: np.ndarray):
    A = np.hstack([X, np.ones((len(X), 1))])
    z = A @ theta
    s = 1 / (1 + np.exp(-z))
    loss = float(np.mean(np.logaddexp(0, z) - y * z))
    return loss, A.T @ (s - y) / len(X)


@pytest.mark.parametrize("overrides", [
    dict(steps=40),  # seed 004: one sample a step, hand-written cross-entropy
    dict(steps=40, impl="module", loss="bce_logits", mode="minibatch", batch_size=10, shuffle=True, lr=0.5),
    dict(steps=40, impl="module", loss="bce", mode="minibatch", batch_size=25, loader="dataloader", lr=0.5),
])
def test_records_gradients_are_the_analytic_bce_gradient(overrides):
    run = init(preset_config("logreg-manual", **overrides))
    X, y = run.data.X.double().numpy(), run.data.y.double().numpy().reshape(-1)
    for _ in range(40):
        before = run.params()
        rec = run.step()
        idx = run.last_batch
        assert {"w1", "w2", "b", "grad_w1", "grad_w2", "grad_b"} <= set(rec)
        theta = np.array(before["w"] + before["b"])
        loss, g = _bce_grad(X[idx], y[idx], theta)
        assert rec["loss"] == pytest.approx(loss, rel=1e-4, abs=1e-6)
        assert [rec["grad_w1"], rec["grad_w2"], rec["grad_b"]] == pytest.approx(g.tolist(), rel=1e-4, abs=1e-6)
