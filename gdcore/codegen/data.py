"""The script's data (the config's recipe or a literal table) and its initial parameters."""
from __future__ import annotations

import torch

from ..models import draw_init
from .plan import Plan, float32_literal, float_literal, shape_text


def data_lines(p: Plan) -> list[str]:
    c = p.c
    lines = ["# ---- data -----------------------------------------------------------------------"]
    if p.literal_data:
        lines += data_table_lines(p)
    elif c.data == "linear":
        seed = "seed" if c.seed < 2**32 else "seed % 2**32"
        lines += [
            f"n = {c.n}",
            f"true_w, true_b, noise, x_range = {float_literal(c.true_w[0])}, {float_literal(c.true_b)}, "
            f"{float_literal(c.noise)}, {float_literal(c.x_range)}",
            "# tutorial 000's recipe, in float64 numpy: np.random.seed(seed) would give the same numbers,",
            "# but an own RandomState leaves numpy's global generator alone",
            f"rs = np.random.RandomState({seed})",
            "x = x_range * rs.rand(n, 1)  # n points, uniform in [0, x_range)",
            "y = true_w * x + true_b + rs.randn(n, 1) * noise  # around the line y = true_w x + true_b",
            "X = torch.from_numpy(x).float()  # float32 tensors, as tensorX, tensorY in the tutorial",
            "y = torch.from_numpy(y).float()",
        ]
    elif c.data == "uniform":
        lines += [
            f"n = {c.n}",
            f"true_w, true_b = {float_literal(c.true_w[0])}, {float_literal(c.true_b)}",
            "g = torch.Generator().manual_seed(seed)  # one seeded stream: the data first, then w and b",
            "X = torch.rand(n, 1, generator=g)  # x = torch.rand([50, 1]) in the tutorial",
        ]
        if c.x_range != 1.0:
            lines.append(f"X = X * {float_literal(c.x_range)}  # x in [0, x_range)")
        lines.append("y = true_w * X + true_b  # y = 3x + 0.8: the line to find" if c.noise == 0
                     else "y = true_w * X + true_b")
        if c.noise > 0:
            lines.append(f"y = y + {float_literal(c.noise)} * torch.randn(n, 1, generator=g)  # Gaussian label noise")
    elif c.data == "synthetic":
        lines += [
            f"n = {c.n}",
            f"true_w = torch.tensor([{', '.join(float_literal(v) for v in c.true_w)}])",
            f"true_b = {float_literal(c.true_b)}",
            "g = torch.Generator().manual_seed(seed)  # one seeded stream: the data first, then w and b",
            "",
            "# d2l's synthetic_data: y = Xw + b + noise",
            "X = torch.normal(0, 1, (n, len(true_w)), generator=g)",
            "y = torch.matmul(X, true_w) + true_b",
            f"y += torch.normal(0, {float_literal(c.noise)}, y.shape, generator=g)",
            "y = y.reshape((-1, 1))  # labels as a column",
        ]
    else:  # logistic_rule
        w_true = [float(v) for v in c.true_w]
        terms = " + ".join(f"X[:, {j}] * {float_literal(v)}" if v >= 0 else f"X[:, {j}] * ({float_literal(v)})"
                           for j, v in enumerate(w_true))
        lines += [
            f"n = {c.n}",
            "g = torch.Generator().manual_seed(seed)  # one seeded stream: the data first, then w",
            f"X = torch.randn(size=(n, {p.d}), generator=g).float()  # n samples, {p.d} features each",
        ]
        if len(w_true) <= 4:
            lines.append(f"score = {terms}")
        else:
            lines += [f"true_w = [{', '.join(float_literal(v) for v in w_true)}]",
                      "score = X[:, 0] * true_w[0]",
                      "for j in range(1, len(true_w)):",
                      "    score = score + X[:, j] * true_w[j]"]
        if c.true_b != 0:
            lines.append(f"score = score + {float_literal(c.true_b)}")
        lines.append("y = torch.where(score > 0, 1.0, 0.0).float().reshape(-1, 1)  # label 1 on one side of the line")
    if not p.literal_data and c.val_fraction > 0:
        n_val = int(round(c.n * c.val_fraction))
        lines += [
            "",
            f"# hold out {c.val_fraction:.0%} of the samples for validation (an own generator); training uses the rest",
            f"n_val = {n_val}",
            "g_split = torch.Generator().manual_seed(seed + 7919)",
            "perm = torch.randperm(n, generator=g_split)",
            "val_idx, train_idx = perm[:n_val].sort().values, perm[n_val:].sort().values",
            "X_val, y_val = X[val_idx], y[val_idx]",
            "X, y = X[train_idx], y[train_idx]",
            f"n = len(X)  # {p.n} training samples",
        ]
    return lines + scaling_lines(p)


def scaling_lines(p: Plan) -> list[str]:
    """Standardise the features (gdcore/scaling.py, operation by operation), when the run does."""
    if p.c.scaling != "standard":
        return []
    has_val = not p.literal_data and p.c.val_fraction > 0
    return ["",
            "# feature scaling: each feature as its z-score, with the training data's mean and standard",
            "# deviation (divided by n); the loss becomes a round bowl. w and b are mapped back at the end.",
            "mean = X.double().mean(0)",
            "sd = X.double().std(0, correction=0)",
            "sd[sd == 0] = 1.0  # a feature that does not vary is only centred",
            "X = ((X.double() - mean) / sd).to(X.dtype)"] + (
        ["X_val = ((X_val.double() - mean) / sd).to(X_val.dtype)  # the same numbers as the training data"]
        if has_val else [])


def data_table_lines(p: Plan) -> list[str]:
    ds = p.ds
    X = ds.X.detach().cpu().numpy()
    y = ds.y.detach().cpu().reshape(-1).numpy()
    cols = list(ds.feature_names) + [ds.label_name]
    what = "the uploaded table" if p.c.data == "custom" else "the data set the run was given"
    lines = [f"# {what}: {p.n} rows; columns {ascii(cols)[1:-1]} (the label last)",
             "rows = ["]
    for xi, yi in zip(X, y):
        lines.append("    [" + ", ".join(float32_literal(v) for v in list(xi) + [yi]) + "],")
    lines += ["]",
              "table = torch.tensor(rows)  # float32",
              f"X = table[:, :{p.d}].contiguous()  # features, shape (n, {p.d})",
              f"y = table[:, {p.d}:].contiguous()  # labels, shape (n, 1)",
              "n = len(X)"]
    return lines


def init_lines(p: Plan) -> list[str]:
    c = p.c
    lines = ["# ---- initial parameters -----------------------------------------------------------"]
    if p.init_from == "own generator":
        lines.append("g = torch.Generator().manual_seed(seed)  # w and b come from their own seeded stream")
    elif p.init_from == "data generator":
        lines.append("# g goes on from where the data left it, as one seeded stream would")
    if p.init_from == "literal":
        g = torch.Generator()
        g.set_state(p.ds.gen_state)
        w0, b0 = draw_init(c.init, c.task, p.d, g)
        lines += ["# drawn by the dashboard from the generator that made this data set",
                  f"w = torch.tensor([{', '.join(float32_literal(v) for v in w0.reshape(-1).tolist())}])"
                  + ("" if w0.shape == (1,) else f".reshape({shape_text(tuple(w0.shape))})"),
                  f"b = torch.tensor([{', '.join(float32_literal(v) for v in b0.reshape(-1).tolist())}])"
                  + ("" if b0.shape == (1,) else f".reshape({shape_text(tuple(b0.shape))})")]
        return lines + requires_grad_lines(p)
    ws, bs = shape_text(p.w_shape), shape_text(p.b_shape)
    d = p.d
    if c.init == "linear_default":
        if p.module:  # drawn straight into nn.Linear below, as its reset_parameters() does
            return lines + ["# w and b are drawn below, straight into nn.Linear (its own init, from g)"]
        lines += ["# nn.Linear's own init (kaiming uniform), drawn from our generator",
                  f"weight = torch.empty(1, {d})",
                  "nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=g)",
                  "bias = torch.empty(1)",
                  f"bound = 1 / math.sqrt({d})",
                  "nn.init.uniform_(bias, -bound, bound, generator=g)",
                  f"w = weight.reshape({ws})",
                  f"b = bias.reshape({bs})"]
        return lines + requires_grad_lines(p)
    rg = "" if p.module else ", requires_grad=True"
    if c.init in ("randn", "rand"):
        lines += [f"w = torch.{c.init}({ws}, generator=g{rg})",
                  f"b = torch.{c.init}({bs}, generator=g{rg})"]
        return lines
    if c.init == "normal":  # d2l: w ~ N(0, 0.01), b = 0
        draw = f"torch.normal(0, 0.01, ({d}, 1), generator=g"
    else:  # randn_zero, tutorial 004: w = randn(d, 1), b = 0
        draw = f"torch.randn({d}, 1, generator=g"
    if p.w_shape == (d, 1):
        lines.append(f"w = {draw}{rg})")
    else:
        lines.append(f"w = {draw}).reshape({ws})" + ("" if p.module else ".requires_grad_()"))
    lines.append(f"b = torch.zeros({bs}{rg})")
    return lines


def requires_grad_lines(p: Plan) -> list[str]:
    if p.module:
        return []
    return ["w.requires_grad_()  # autograd will fill w.grad and b.grad", "b.requires_grad_()"]
