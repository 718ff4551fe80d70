"""Time to build every chart builder's Altair object and turn it into a Vega-Lite dict.

    python benchmarks/bench_charts.py [--repeats 15] [--only NAME ...] [--json OUT] [--compare BEFORE.json]

Per builder, with data of the sizes the lesson pages draw (2000-point loss curves, 44x44 and
60x60 landscapes, 150-sample scatters, six-runner races, ...): the median over repeats of
  build    the builder call alone (Altair objects, no serialisation)
  total    the builder call plus `chart.to_dict(validate=False)` (Altair's default data transformer,
           which turns every data frame into JSON records)
  app      the builder call plus `to_dict(validate=False)` with the data frames passed through by
           name, as pages/ui.chart_spec does (Streamlit then ships them as Arrow): the server-side
           cost of a chart in the app, less the Arrow conversion
and, for the charts a Step redraws, their plain-spec builder plus `vl.wire` (Arrow included), which is
what the pages call instead (gdcore.charts.vl).
`--json` saves the medians; `--compare` prints them next to a saved run (e.g. one taken on the
code before a change: copy `gdcore/` and this file to another folder and run it there).
Inputs are synthetic numpy/pandas data, so the script does not depend on the lesson modules.
Not a test: numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import altair as alt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from gdcore import charts, reference  # noqa: E402
from gdcore.charts import autograd_basics as ag  # noqa: E402
from gdcore.charts import linear_regression as lr  # noqa: E402
from gdcore.charts import logistic_regression as lg  # noqa: E402
from gdcore.charts import lr_explorer as sw  # noqa: E402
from gdcore.charts import mini_batches as mb  # noqa: E402
from gdcore.charts import optimizers as op  # noqa: E402
from gdcore.charts import vl  # noqa: E402
from gdcore.charts import why_squared_loss as th  # noqa: E402

RNG = np.random.default_rng(0)
RUNNERS = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]


def _inputs() -> dict:
    """Realistic inputs, built once."""
    n = 150
    x = RNG.uniform(0, 5, n)
    y = 2 * x + 6 + RNG.normal(0, 0.5, n)
    X = x.reshape(-1, 1)
    lines = [{"label": "fit: y_hat = w·x + b", "w": 1.9, "b": 6.2},
             {"label": "true line", "w": 2.0, "b": 6.0, "dash": True}]
    losses = np.exp(-np.arange(30_000) / 3000.0) + 0.1 + 1e-3 * RNG.random(30_000)
    loss_fr = charts.loss_frame(losses)  # 2000 points
    wv44, bv44 = np.linspace(0, 4, 44), np.linspace(2, 10, 44)
    grid44 = reference.loss_grid(X, y, wv44, bv44)
    wv60, bv60 = np.linspace(0, 4, 60), np.linspace(2, 10, 60)
    grid60 = reference.loss_grid(X, y, wv60, bv60)
    steps = np.arange(3001)
    path = charts.path_frame(steps, 2 - 2 * np.exp(-steps / 500), 6 - 6 * np.exp(-steps / 900), series="path of (w, b)")
    race = pd.concat([pd.DataFrame({"step": np.arange(1, 301), "loss": np.geomspace(50, 0.1 + i * 0.01, 300),
                                    "series": name}) for i, name in enumerate(RUNNERS)], ignore_index=True)
    race_paths = pd.concat([pd.DataFrame({"step": np.arange(301), "w": np.linspace(0.2, 2, 301) + 0.01 * i,
                                          "b": np.linspace(3, 6, 301), "series": name})
                            for i, name in enumerate(RUNNERS)], ignore_index=True)
    state = pd.DataFrame({"step": np.arange(1, 301), "exp_avg[w]": RNG.normal(size=300),
                          "exp_avg[b]": RNG.normal(size=300), "exp_avg_sq[w]": RNG.random(300),
                          "exp_avg_sq[b]": RNG.random(300)})
    lock = pd.DataFrame({"step": np.arange(1, 101), "|Δw|": 1e-7 * RNG.random(100),
                         "|Δb|": 1e-7 * RNG.random(100), "|Δloss|": 1e-7 * RNG.random(100)})
    timing = pd.DataFrame({"n (samples)": [50, 5000, 200_000, 200_000], "device": ["cpu", "cpu", "cpu", "cuda"],
                           "µs per step": [80.0, 150.0, 900.0, 120.0],
                           "steps per second": [12500.0, 6666.0, 1111.0, 8333.0]})
    # logistic regression: 200 points, a 30x30 probability grid, two boundary segments
    P = RNG.normal(size=(200, 2))
    pts = pd.DataFrame({"i": np.arange(200), "x1": P[:, 0], "x2": P[:, 1],
                        "y": np.where(0.5 * P[:, 0] - 1.5 * P[:, 1] > 0, "class 1", "class 0")})
    box = (-3.0, 3.0, -3.0, 3.0)
    e = np.linspace(-3, 3, 31)
    A, B = np.meshgrid(e[:-1], e[:-1])
    prob = pd.DataFrame({"x1": A.ravel(), "x1e": A.ravel() + 0.2, "x2": B.ravel(), "x2e": B.ravel() + 0.2,
                         "y_hat": 1 / (1 + np.exp(-(A.ravel() - 2 * B.ravel())))})
    cur = {"i": 3, "x1": 0.1, "x2": 0.2, "y": 1.0, "z": 0.3, "y_hat": 0.57}
    # mini-batches
    roles = np.zeros(n, dtype=int)
    roles[:60] = 1
    roles[60:70] = 2
    k = 150
    first_epoch = np.repeat(np.arange(15), 10)
    reshuffle = pd.DataFrame({"position": np.r_[np.arange(k), np.arange(k)],
                              "sample": np.r_[np.arange(k), np.arange(k)],
                              "epoch": ["epoch 1"] * k + ["epoch 2"] * k,
                              "batch": np.r_[first_epoch, RNG.permutation(first_epoch)]})
    step_frame = pd.DataFrame({"step": np.arange(1, 2001), "loss": losses[:2000] * (1 + 0.3 * RNG.random(2000))})
    ends = pd.DataFrame({"step": np.arange(15, 2001, 15), "epoch": np.arange(1, 134), "loss": losses[15:2001:15]})
    compare = pd.concat([pd.DataFrame({"step": np.arange(1, 1201), "epoch": np.arange(1, 1201) / 15,
                                       "loss": losses[:1200] * (1 + 0.1 * i), "series": name})
                         for i, name in enumerate(["batch GD", "stochastic GD", "mini-batch GD"])], ignore_index=True)
    # the lr sweep: 24 runs, a few diverged
    lrs = np.geomspace(1e-3, 3.0, 24)
    fl = np.where(lrs < 0.8, np.abs(np.log(lrs / 0.3)) + 0.01, np.nan)
    zone = np.where(np.isnan(fl), "diverged",
                    np.where(lrs < 0.05, "too small", np.where(lrs < 0.5, "just right", "too large")))
    sweep_frame = pd.DataFrame({"run": np.arange(24), "lr": lrs, "final_loss": fl, "zone": zone,
                                "note": [f"final loss {v:g}" if np.isfinite(v) else "diverged at step 40" for v in fl],
                                "diverged_at": np.where(np.isnan(fl), 40, 0)})
    curves = [(f"run {i} · lr {lr_:.3g}", losses * (1 + i)) for i, lr_ in enumerate([0.01, 0.1, 0.5, 0.7])]
    # why squared loss
    def normal(v, mu, s):
        return np.exp(-(v - mu) ** 2 / (2 * s ** 2)) / (s * np.sqrt(2 * np.pi))

    # as gdcore.lessons.why_squared_loss builds them: 3 densities, a histogram, 2 bells
    grid_x = np.linspace(-8, 8, 401)
    pdf = pd.concat([pd.DataFrame({"x": grid_x, "p": normal(grid_x, mu, s), "label": f"μ={mu}, σ={s}"})
                     for mu, s in ((0, 1), (0, 2), (3, 1))], ignore_index=True)
    counts, edges = np.histogram(RNG.normal(0, 0.5, n), bins=11)
    hist = pd.DataFrame({"left": edges[:-1], "right": edges[1:], "count": counts,
                         "density": counts / (n * np.diff(edges))})
    bell_x = np.linspace(-2, 2, 200)
    gcurves = [pd.DataFrame({"x": bell_x, "p": normal(bell_x, 0, s), "label": label})
               for s, label in ((0.5, "fitted"), (0.45, "true"))]
    w_grid = np.linspace(0, 4, 201)
    like = pd.DataFrame({"w": w_grid, "mse": (w_grid - 2) ** 2 + 0.25})
    like["nll"] = n / 2 * np.log(2 * np.pi * 0.25) + n * like["mse"] / (2 * 0.25)
    events = [{"n": i + 1, "action": "out.backward()" if i % 3 < 2 else "x.grad.zero_()",
               "x_grad": 4.5 * (i % 3 + 1) if i % 3 < 2 else 0.0, "expected": 4.5 * (i % 3 + 1) if i % 3 < 2 else 0.0}
              for i in range(9)]
    return dict(**locals())


def builders(d: dict) -> dict:
    """name -> zero-argument callable returning a chart (or a list of charts)."""
    return {
        "common.loss_curve": lambda: charts.loss_curve(d["loss_fr"]),
        "common.scatter_fit": lambda: charts.scatter_fit(d["x"], d["y"], d["lines"]),
        "common.landscape": lambda: charts.landscape(d["grid60"], d["wv60"], d["bv60"], paths=d["path"],
                                                     optimum=(2.0, 6.0)),
        "common.traces": lambda: charts.traces(d["state"], ["exp_avg[w]", "exp_avg[b]"]),
        "linreg.loss_curve_with_optimum": lambda: lr.loss_curve_with_optimum(d["loss_fr"], 0.1),
        "linreg.loss_curve_with_optimum(10 steps)": lambda: lr.loss_curve_with_optimum(d["loss_fr"].head(10), 0.1),
        "linreg.landscape_with_current": lambda: lr.landscape_with_current(
            d["grid44"], d["wv44"], d["bv44"], d["path"], (2.0, 6.0), (1.5, 5.0), height=360),
        "linreg.fit_view": lambda: lr.fit_view(d["x"], d["y"], d["lines"]),
        "logreg.boundary_chart": lambda: lg.boundary_chart(
            d["pts"], d["box"], ((-3, -1.0), (3, 2.0)), ((-3, -0.8), (3, 1.8)), d["prob"], d["cur"]),
        "logreg.sigmoid_chart": lambda: lg.sigmoid_chart(d["cur"]),
        "minibatch.batch_scatter": lambda: mb.batch_scatter(d["x"], d["y"], d["roles"], d["lines"]),
        "minibatch.reshuffle_chart": lambda: mb.reshuffle_chart(d["reshuffle"]),
        "minibatch.loss_with_epochs": lambda: mb.loss_with_epochs(d["step_frame"], d["ends"]),
        "minibatch.compare_chart": lambda: mb.compare_chart(d["compare"], "step", order=["batch GD", "stochastic GD",
                                                                                          "mini-batch GD"]),
        "optim.race_losses": lambda: op.race_losses(d["race"]),
        "optim.race_landscape": lambda: op.race_landscape(d["grid60"], d["wv60"], d["bv60"], d["race_paths"],
                                                          (2.0, 6.0)),
        "optim.state_traces": lambda: op.state_traces(d["state"], ["exp_avg", "exp_avg_sq"]),
        "optim.lockstep_diffs": lambda: op.lockstep_diffs(d["lock"]),
        "optim.timing_bars": lambda: op.timing_bars(d["timing"]),
        "sweep.final_loss_chart": lambda: sw.final_loss_chart(d["sweep_frame"], limit=0.82, band=(0.05, 0.5),
                                                              best_lr=float(d["lrs"][15])),
        "sweep.curves_chart": lambda: sw.curves_chart(d["curves"], dashed=[d["curves"][0][0]]),
        "theory.pdf_chart": lambda: th.pdf_chart(d["pdf"]),
        "theory.noise_histogram": lambda: th.noise_histogram(d["hist"], d["gcurves"]),
        "theory.likelihood_chart": lambda: th.likelihood_chart(d["like"], 2.0),
        "autograd.grad_history_chart": lambda: ag.grad_history_chart(d["events"]),
    }


def spec_builders(d: dict) -> dict:
    """The plain-spec builders the pages call on every Step (gdcore.charts.vl), on the same inputs."""
    return {
        "linreg.loss_curve_with_optimum_spec": lambda: lr.loss_curve_with_optimum_spec(d["loss_fr"], 0.1),
        "linreg.landscape_with_current_spec": lambda: lr.landscape_with_current_spec(
            d["grid44"], d["wv44"], d["bv44"], d["path"], (2.0, 6.0), (1.5, 5.0), height=360),
        "linreg.fit_view_spec": lambda: lr.fit_view_spec(d["x"], d["y"], d["lines"]),
        "logreg.boundary_chart_spec": lambda: lg.boundary_chart_spec(
            d["pts"], d["box"], ((-3, -1.0), (3, 2.0)), ((-3, -0.8), (3, 1.8)), d["prob"], d["cur"]),
        "logreg.sigmoid_chart_spec": lambda: lg.sigmoid_chart_spec(d["cur"]),
        "common.loss_curve_spec": lambda: charts.loss_curve_spec(d["loss_fr"]),
    }


def measure_spec(fn, repeats: int) -> float:
    """Median ms of building a spec and turning it into what the page sends (vl.wire, Arrow included)."""
    for _ in range(2):
        vl.wire(fn())
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        vl.wire(fn())
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def _to_dict(chart):
    if isinstance(chart, list):
        return [c.to_dict(validate=False) for c in chart]
    return chart.to_dict(validate=False)


def _pass_through(data, sink: dict):
    """A data transformer like pages/ui.chart_spec's: the frame is kept, the spec names it."""
    name = f"data{len(sink)}"
    sink[name] = data
    return {"name": name}


alt.data_transformers.register("bench_pass_through", _pass_through)


def _app_dict(chart):
    with alt.data_transformers.enable("bench_pass_through", sink={}), alt.theme.enable("none"):
        return _to_dict(chart)


def measure(fn, repeats: int) -> dict[str, float]:
    """Median ms of fn(), of fn() + to_dict(validate=False), and of fn() + the app's to_dict."""
    for _ in range(2):  # warm caches (Altair's channel cache, imports)
        _to_dict(fn())
        _app_dict(fn())
    build, total, app = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        chart = fn()
        t1 = time.perf_counter()
        _to_dict(chart)
        t2 = time.perf_counter()
        build.append((t1 - t0) * 1e3)
        total.append((t2 - t0) * 1e3)
        t0 = time.perf_counter()
        _app_dict(fn())
        app.append((time.perf_counter() - t0) * 1e3)
    return {"build_ms": statistics.median(build), "total_ms": statistics.median(total),
            "app_ms": statistics.median(app)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--only", nargs="*", help="builder names (substrings) to run")
    ap.add_argument("--json", help="save the medians here")
    ap.add_argument("--compare", help="a JSON file from an earlier run (the 'before' numbers)")
    args = ap.parse_args()

    d = _inputs()
    table = builders(d)
    if args.only:
        table = {k: v for k, v in table.items() if any(s in k for s in args.only)}
    before = json.loads(Path(args.compare).read_text()) if args.compare else {}
    results = {}
    cols = ("build_ms", "total_ms", "app_ms")
    w = max(len(k) for k in table) + 2
    if before:
        print(f"{'':<{w}}{'build':>16}{'build+to_dict':>18}{'app (no data conv.)':>24}")
        print(f"{'builder':<{w}}" + "{:>8}{:>8}{:>10}{:>8}{:>11}{:>8}{:>7}".format(
            "before", "after", "before", "after", "before", "after", "x"))
    else:
        print(f"{'builder':<{w}}{'build ms':>10}{'build+to_dict ms':>18}{'app ms':>10}")

    def row(name, r, b=None):
        if b:
            print(f"{name:<{w}}{b['build_ms']:>8.2f}{r['build_ms']:>8.2f}{b['total_ms']:>10.2f}{r['total_ms']:>8.2f}"
                  f"{b.get('app_ms', float('nan')):>11.2f}{r['app_ms']:>8.2f}"
                  f"{b.get('app_ms', float('nan')) / r['app_ms']:>6.1f}x")
        else:
            print(f"{name:<{w}}{r['build_ms']:>10.2f}{r['total_ms']:>18.2f}{r['app_ms']:>10.2f}")

    for name, fn in table.items():
        results[name] = measure(fn, args.repeats)
        row(name, results[name], before.get(name))
    total = {c: sum(r[c] for r in results.values()) for c in cols}
    common = [k for k in results if k in before]
    row("sum", total, {c: sum(before[k].get(c, float("nan")) for k in common) for c in cols} if before else None)
    specs = {k: v for k, v in spec_builders(d).items() if not args.only or any(s in k for s in args.only)}
    if specs:
        print(f"\n{'plain spec (what a Step builds)':<{w}}{'spec + vl.wire ms':>18}")
        for name, fn in specs.items():
            results[name] = {"wire_ms": measure_spec(fn, args.repeats)}
            print(f"{name:<{w}}{results[name]['wire_ms']:>18.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
