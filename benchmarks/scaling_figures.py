"""Figures for feature scaling and several features (run from the repository root:
python benchmarks/scaling_figures.py)."""
import sys

sys.path.insert(0, ".")
import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)
from gdcore import scaling  # noqa: E402
from gdcore.engine import Run  # noqa: E402
from gdcore.lessons import linear_regression_features as fs  # noqa: E402
from gdcore.presets import preset_config  # noqa: E402
from gdcore.tables import read_table  # noqa: E402

print("== one feature: tutorial 000's data (150 points, x in [0, 5)) ==")
run = Run(preset_config("linreg-minibatch"))
raw, z = scaling.before_after(run.data.X)
for name, c in (("raw", raw), ("z-scored", z)):
    print(f"{name:9s} lambda_max {c.lambda_max:.6g}  lambda_min {c.lambda_min:.6g}  "
          f"condition {c.condition:.6g}  limit 2/lambda_max {c.limit:.6g}")
for mode, lr, steps in (("none", 0.9 * raw.limit, 3000), ("standard", 0.9 * z.limit, 3000)):
    r = Run(preset_config("linreg-manual", data="custom", n=run.data.n, scaling=mode, lr=lr, epochs=steps), run.data)
    r.run()
    p = scaling.raw_params(r)
    opt = fs.reference.least_squares(run.data.X, run.data.y)
    k = next((i + 1 for i, v in enumerate(r.losses()) if v - opt.mse < 1e-6 * opt.mse), None)
    print(f"scaling={mode:8s} lr={lr:.4g}: w={p['w'][0]:.7f} b={p['b'][0]:.7f}  lstsq w*={opt.w[0]:.7f} "
          f"b*={opt.b:.7f}  steps to loss-loss* < 1e-6 loss*: {k}")

print("\n== three features on different scales (age ~ N(40, 10), ratio ~ N(0.3, 0.1), temp ~ N(-2, 3)) ==")
g = np.random.default_rng(2026)
n = 120
X = np.c_[g.normal(40, 10, n), g.normal(0.3, 0.1, n), g.normal(-2, 3, n)]
y = X @ [0.2, 9.0, -1.1] + 3.0 + g.normal(0, 0.2, n)
rows = [f"p{i},{','.join(f'{v:.5f}' for v in row)}" for i, row in enumerate(np.c_[X, y])]
table = read_table(("name,age,ratio,temp,y\n" + "\n".join(rows) + "\n").encode())
data = table.dataset("y", ("age", "ratio", "temp"))
raw, z = scaling.before_after(data.X)
for name, c in (("raw", raw), ("z-scored", z)):
    print(f"{name:9s} lambda_max {c.lambda_max:.6g}  lambda_min {c.lambda_min:.6g}  "
          f"condition {c.condition:.6g}  limit 2/lambda_max {c.limit:.6g}")
Xf, yf = data.X.double().numpy(), data.y.double().numpy().reshape(-1)
best = np.linalg.lstsq(np.c_[Xf, np.ones(len(Xf))], yf, rcond=None)[0]
for mode, lr, steps in (("standard", 0.5, 2000), ("none", 0.9 * raw.limit, 200_000)):
    r = Run(preset_config("linreg-manual", data="custom", n=data.n, scaling=mode, lr=lr, epochs=steps), data)
    r.run()
    c = fs.compare(r)
    print(f"scaling={mode:8s} lr={lr:.4g} steps={steps}: now={np.array2string(c.now, precision=6)}")
    print(f"{'':18s} lstsq={np.array2string(best, precision=6)}  max |now - lstsq| = {c.gap.max():.3g}  "
          f"loss - loss* = {c.excess:.3g}")
