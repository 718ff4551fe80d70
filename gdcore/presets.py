"""The five tutorials as presets: one plain named table beside the defaults."""
from __future__ import annotations

from .config import Config
from .errors import ConfigError

PRESETS: dict[str, Config] = {
    # seed 000: 150 noisy points, TensorDataset + DataLoader(batch_size=20, shuffle=True),
    # w.data -= 0.01 * w.grad.data, for epoch in range(1, 100): 99 epochs x 8 batches
    "linreg-minibatch": Config(
        preset="linreg-minibatch", task="linreg", data="linear", n=150, true_w=(2.0,), true_b=6.0,
        noise=0.3, x_range=5.0, impl="manual", loss="mse", mode="minibatch", batch_size=20,
        loader="dataloader", init="randn", update="data", optimizer="sgd", lr=0.01, epochs=99, seed=100),
    # seed 001: d2l's linear regression from scratch, two features, half squared loss, sgd / batch_size
    "linreg-d2l": Config(
        preset="linreg-d2l", task="linreg", data="synthetic", n=1000, true_w=(2.0, -3.4), true_b=4.2,
        noise=0.01, impl="manual", loss="half_squared", mode="minibatch", batch_size=10, loader="d2l",
        init="normal", update="no_grad", optimizer="sgd", lr=0.03, epochs=3, seed=0),
    # seed 002: class Lr(nn.Module), nn.MSELoss, optim.SGD(lr=1e-3), 30000 full-batch iterations
    "linreg-module": Config(
        preset="linreg-module", task="linreg", data="uniform", n=50, true_w=(3.0,), true_b=0.8, noise=0.0,
        x_range=1.0, impl="module", loss="mse", mode="batch", batch_size=50, loader="index",
        init="linear_default", optimizer="sgd", lr=1e-3, epochs=30000, seed=0),
    # seed 003: w, b = torch.rand(1) each; loss_fn + optimize(0.01); 3000 full-batch iterations
    "linreg-manual": Config(
        preset="linreg-manual", task="linreg", data="uniform", n=50, true_w=(3.0,), true_b=0.8, noise=0.0,
        x_range=1.0, impl="manual", loss="mse", mode="batch", batch_size=50, loader="index", init="rand",
        update="data", optimizer="sgd", lr=0.01, epochs=3000, seed=0),
    # seed 004: torch.manual_seed(123); per-sample SGD on 1000 points, 100 epochs, lr 0.001
    "logreg-manual": Config(
        preset="logreg-manual", task="logreg", data="logistic_rule", n=1000, true_w=(0.5, -1.5), true_b=0.0,
        noise=0.0, impl="manual", loss="bce_manual", mode="stochastic", batch_size=1, loader="index",
        shuffle=False, init="randn_zero", update="no_grad", optimizer="sgd", lr=0.001, epochs=100, seed=123),
}

DESCRIPTIONS = {
    "linreg-minibatch": "1 feature, mini-batch GD through TensorDataset + DataLoader, manual w.data -= lr * w.grad",
    "linreg-d2l": "2 features, d2l from scratch: synthetic_data, data_iter, squared_loss, sgd",
    "linreg-module": "nn.Module + nn.Linear(1, 1) + nn.MSELoss + optim.SGD, optionally on GPU",
    "linreg-manual": "autograd basics, then full-batch manual GD with loss_fn / optimize",
    "logreg-manual": "2-feature logistic regression by hand, per-sample SGD, cross-entropy",
}

# The tutorial each preset follows, for display.
SOURCES = {
    "linreg-minibatch": "Linear regression with mini-batch gradient descent (TensorDataset + DataLoader)",
    "linreg-d2l": "d2l: linear regression from scratch",
    "linreg-module": "nn.Module, nn.MSELoss and torch.optim (CPU or GPU)",
    "linreg-manual": "Autograd and manual linear regression",
    "logreg-manual": "Logistic regression by hand",
}


def get_preset(name: str) -> Config:
    """The preset's config; an unknown name is a one-sentence error."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(key="unknown_preset", name=repr(name), options=", ".join(PRESETS)) from None


def preset_config(name: str, **overrides) -> Config:
    """A preset with some fields overridden (steps given => epochs ignored)."""
    base = get_preset(name)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if "epochs" in overrides and "steps" not in overrides:
        overrides["steps"] = None
    if "batch_size" in overrides and base.mode == "stochastic" and overrides["batch_size"] != 1:
        overrides.setdefault("mode", "minibatch")
    return base.replace(**overrides)
