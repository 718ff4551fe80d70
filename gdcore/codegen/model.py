"""The script's model: seed 002's nn.Module, or plain functions of w and b (linreg, forward, logit)."""
from __future__ import annotations

from .plan import Plan


def model_lines(p: Plan) -> list[str]:
    c, d = p.c, p.d
    lines = ["# ---- model ------------------------------------------------------------------------"]
    if p.module:
        name = "LogReg" if p.logreg else "Lr"
        lines += [f"class {name}(nn.Module):",
                  "    def __init__(self):",
                  f"        super({name}, self).__init__()",
                  f"        self.linear = nn.Linear({d}, 1)  # y = x w^T + b",
                  "",
                  "    def forward(self, x):"]
        if p.logreg:
            lines += ["        return torch.sigmoid(self.linear(x))  # the probability of class 1"]
        else:
            lines += ["        out = self.linear(x)",
                      "        return out"]
        lines += ["", "", f"model = {name}()"]
        if c.init == "linear_default" and p.init_from != "literal":
            lines += ["# nn.Linear's own init, drawn again from our generator g (nn.Linear() used torch's global one)",
                      "with torch.no_grad():",
                      "    nn.init.kaiming_uniform_(model.linear.weight, a=math.sqrt(5), generator=g)",
                      f"    bound = 1 / math.sqrt({d})",
                      "    nn.init.uniform_(model.linear.bias, -bound, bound, generator=g)"]
        else:
            lines += ["with torch.no_grad():  # start from the w, b drawn above, not nn.Linear's random init",
                      f"    model.linear.weight.copy_(w.reshape(1, {d}))",
                      "    model.linear.bias.copy_(b.reshape(1))"]
        return lines
    if not p.logreg:
        lines += ["def linreg(X, w, b):",
                  '    """The linear model y_hat = X w + b."""']
        lines.append("    return X * w + b  # one feature: w is a single number" if p.w_shape == (1,)
                     else "    return torch.matmul(X, w) + b")
        return lines
    lines += ["def logit(X, w, b):",
              '    """The score X @ w + b of a batch X (n, d); positive means class 1."""',
              "    return torch.matmul(X, w) + b",
              "",
              "",
              "def forward(X, w, b):",
              '    """y_hat = sigmoid(X @ w + b): the probability of class 1 for each row of X."""',
              "    return torch.sigmoid(logit(X, w, b))"]
    if p.one_sample and not c.full_tensor_pitfall:
        if c.loss == "bce_logits":
            lines += ["", "",
                      "def logit_one(x, w, b):",
                      '    """The score w^T x + b of ONE sample x of shape (d,)."""',
                      "    return torch.matmul(w.transpose(0, 1), x) + b"]
        else:
            lines += ["", "",
                      "def forward_one(x, w, b):",
                      '    """Tutorial 004\'s forward for ONE sample x of shape (d,): sigmoid(w^T x + b)."""',
                      "    return torch.sigmoid(torch.matmul(w.transpose(0, 1), x) + b)"]
    return lines


def precision_lines(p: Plan) -> list[str]:
    """float64 runs: the data and the parameters, made in float32 as above, then held in float64."""
    c = p.c
    if c.dtype == "float32":
        return []
    lines = ["# ---- precision: float64 -------------------------------------------------------------",
             "# made in float32 as the tutorial makes them, then held in float64: about 16 significant digits",
             "# instead of 7, so an update far smaller than a parameter still changes it",
             "X, y = X.double(), y.double()"]
    if not p.literal_data and c.val_fraction > 0:
        lines.append("X_val, y_val = X_val.double(), y_val.double()")
    if p.module:
        lines.append("model = model.double()  # nn.Linear's weight and bias in float64")
    else:
        lines += ["w = w.detach().double().requires_grad_()",
                  "b = b.detach().double().requires_grad_()"]
    return lines
