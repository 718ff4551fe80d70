"""gdcore.models: initial draws match the tutorials' recipes; the models match torch's own layers."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gdcore.models import LogReg, Lr, ManualLinear, ManualLogistic, build_model, draw_init


def _gen(seed):
    return torch.Generator().manual_seed(seed)


# -- initial parameters vs the tutorials' global-generator code --------------------------------

def test_init_randn_is_seed_000(restore_global_rngs):
    torch.manual_seed(4)
    w, b = torch.randn(1, requires_grad=True), torch.randn(1, requires_grad=True)
    w0, b0 = draw_init("randn", "linreg", 1, _gen(4))
    assert torch.equal(w0, w.detach()) and torch.equal(b0, b.detach())
    assert w0.shape == (1,) and b0.shape == (1,)


def test_init_rand_is_seed_003(restore_global_rngs):
    torch.manual_seed(4)
    w, b = torch.rand(1), torch.rand(1)
    w0, b0 = draw_init("rand", "linreg", 1, _gen(4))
    assert torch.equal(w0, w) and torch.equal(b0, b)


def test_init_normal_is_d2l(restore_global_rngs):
    torch.manual_seed(4)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    w0, b0 = draw_init("normal", "linreg", 2, _gen(4))
    assert torch.equal(w0, w.detach()) and torch.equal(b0, b.detach())
    assert w0.shape == (2, 1) and b0.shape == (1,)


def test_init_randn_zero_is_seed_004(restore_global_rngs):
    torch.manual_seed(4)
    w = torch.randn(size=(2, 1))
    b = torch.zeros(size=(1, 1))
    w0, b0 = draw_init("randn_zero", "logreg", 2, _gen(4))
    assert torch.equal(w0, w) and torch.equal(b0, b)
    assert b0.shape == (1, 1)


@pytest.mark.parametrize("d", [1, 3])
def test_init_linear_default_is_nn_linear(d, restore_global_rngs):
    torch.manual_seed(4)
    layer = nn.Linear(d, 1)
    w0, b0 = draw_init("linear_default", "linreg", d, _gen(4))
    assert torch.equal(w0.reshape(-1), layer.weight.detach().reshape(-1))
    assert torch.equal(b0.reshape(-1), layer.bias.detach())


def test_draw_init_unknown():
    with pytest.raises(ValueError):
        draw_init("zeros", "linreg", 1, _gen(0))


# -- forward passes and gradients against torch's own layers / analytic gradients --------------

def _data(n=30, d=1, seed=0):
    g = _gen(seed)
    return torch.randn(n, d, generator=g), torch.randn(n, 1, generator=g)


def test_manual_linear_one_feature_forward_backward():
    X, y = _data()
    w0, b0 = torch.tensor([1.5]), torch.tensor([-0.5])
    m = ManualLinear(w0, b0, torch.device("cpu"))
    assert m.w.is_leaf and m.w.requires_grad and m.b.is_leaf
    assert torch.equal(m(X), X * w0 + b0)
    loss = torch.mean((m(X) - y) ** 2)
    loss.backward()
    # analytic MSE gradient 2/n A^T (A theta - y), float64
    A = torch.cat([X, torch.ones_like(X)], 1).double()
    theta = torch.tensor([1.5, -0.5], dtype=torch.float64)
    g = 2 / len(X) * A.T @ (A @ theta - y.double().reshape(-1))
    assert torch.allclose(m.grad.double(), g, rtol=1e-5, atol=1e-6)
    # w.grad / b.grad are views of the flat grad buffer; w / b views of theta
    assert torch.equal(m.w.grad.reshape(-1), m.grad[:1]) and torch.equal(m.b.grad.reshape(-1), m.grad[1:])
    with torch.no_grad():
        m.theta.sub_(1.0)
    assert m.w.item() == 0.5 and m.b.item() == -1.5


def test_manual_linear_several_features_is_d2l_linreg():
    X, y = _data(d=3)
    w0, b0 = torch.randn(3, 1, generator=_gen(1)), torch.tensor([0.25])
    m = ManualLinear(w0, b0, torch.device("cpu"))
    assert torch.equal(m(X), torch.matmul(X, w0) + b0)
    w, b = m.linear_params()
    assert torch.equal(w, w0.reshape(-1)) and torch.equal(b, b0)


@pytest.mark.parametrize("d", [1, 2])
def test_lr_module_matches_nn_linear_and_fills_flat_grad(d):
    X, y = _data(d=d)
    ref = nn.Linear(d, 1)
    with torch.no_grad():
        ref.weight.copy_(torch.randn(1, d, generator=_gen(2)))
        ref.bias.fill_(0.3)
    m = Lr(ref.weight.detach().reshape(-1).clone(), ref.bias.detach().clone(), torch.device("cpu"))
    assert torch.equal(m(X), ref(X))
    names = [n for n, _ in m.named_parameters()]
    assert names == ["linear.weight", "linear.bias"]
    nn.MSELoss()(m(X), y).backward()
    nn.MSELoss()(ref(X), y).backward()
    assert torch.equal(m.grad, torch.cat([ref.weight.grad.reshape(-1), ref.bias.grad]))
    assert torch.equal(m.theta, torch.cat([ref.weight.detach().reshape(-1), ref.bias.detach()]))
    # parameters are views of theta: an optimizer step shows up in theta
    torch.optim.SGD(m.parameters(), lr=0.1).step()
    torch.optim.SGD(ref.parameters(), lr=0.1).step()
    assert torch.equal(m.theta, torch.cat([ref.weight.detach().reshape(-1), ref.bias.detach()]))


def test_logistic_models_match_sigmoid_and_bce_gradient():
    X, _ = _data(n=40, d=2)
    y = (X[:, :1] > 0).float()
    w0, b0 = torch.tensor([[0.7], [-1.2]]), torch.tensor([[0.1]])
    man = ManualLogistic(w0, b0, torch.device("cpu"))
    mod = LogReg(w0, b0, torch.device("cpu"))
    p = torch.sigmoid(X @ w0 + b0)
    assert torch.allclose(man(X), p, atol=1e-7) and torch.allclose(mod(X), p, atol=1e-7)
    assert torch.allclose(mod.logits(X), X @ w0 + b0, atol=1e-6)
    # seed 004's one-sample forward: sigmoid(w.T @ x + b), shape (1, 1)
    x0 = X[0]
    one = man(x0)
    assert one.shape == (1, 1)
    assert torch.equal(one, F.sigmoid(torch.matmul(w0.transpose(0, 1), x0) + b0))
    # BCE gradient: X^T (sigma - y) / n for w, mean(sigma - y) for b
    F.binary_cross_entropy(mod(X), y).backward()
    A = torch.cat([X, torch.ones(40, 1)], 1).double()
    s = torch.sigmoid(A @ torch.tensor([0.7, -1.2, 0.1], dtype=torch.float64))
    g = A.T @ (s - y.double().reshape(-1)) / 40
    assert torch.allclose(mod.grad.double(), g, atol=1e-6)
    loss = -(torch.log(man(X)) * y + (1 - y) * torch.log(1 - man(X))).mean()
    loss.backward()
    assert torch.allclose(man.grad.double(), g, atol=1e-6)


@pytest.mark.parametrize("task,impl,cls", [("linreg", "manual", ManualLinear), ("linreg", "module", Lr),
                                           ("logreg", "manual", ManualLogistic), ("logreg", "module", LogReg)])
def test_build_model_picks_the_class_and_leaves_global_rng_alone(task, impl, cls):
    state = torch.random.get_rng_state()
    w0, b0 = draw_init("randn_zero" if task == "logreg" else "randn", task, 2, _gen(0))
    m = build_model(task, impl, w0, b0, torch.device("cpu"))
    assert type(m) is cls and m.kind == impl
    assert torch.equal(state, torch.random.get_rng_state())
    w, b = m.linear_params()
    assert torch.equal(w, w0.reshape(-1)) and torch.equal(b, b0.reshape(-1))
    assert [n for n, _ in m.named()] == ["w", "b"]
