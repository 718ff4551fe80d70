"""Home: what the app is, the lessons, the device in use."""
import streamlit as st

from gdcore.devices import resolve_device
from gdcore.errors import DeviceError
from gdcore.presets import SOURCES
from pages import _ui

_ui.page_guard("pages/home.py")

st.title(":material/trending_down: Gradient descent, step by step")
st.markdown(
    "Run the training loops of five short PyTorch tutorials one step at a time and watch every line act: "
    "the gradient appears, the parameters move, the loss falls, or the run diverges and says why. "
    "Every number on screen comes from real PyTorch, and every lesson loads its tutorial's exact settings in one click."
)

LESSONS = [
    ("pages/autograd_basics.py", "account_tree", "Autograd basics",
     "requires_grad, grad_fn, the computational graph, backward() and why gradients must be zeroed.",
     SOURCES["linreg-manual"]),
    ("pages/linear_regression.py", "show_chart", "Linear regression by hand",
     "The manual loop w.data -= lr * w.grad, the loss landscape, the optimum and the stability limit 2/λmax.",
     f"{SOURCES['linreg-manual']} · {SOURCES['linreg-minibatch']}"),
    ("pages/mini_batches.py", "view_module", "Mini-batches",
     "TensorDataset + DataLoader made visible; batch vs stochastic vs mini-batch; d2l's data_iter and sgd.",
     f"{SOURCES['linreg-minibatch']} · {SOURCES['linreg-d2l']}"),
    ("pages/why_squared_loss.py", "bar_chart", "Why squared loss",
     "Gaussian noise, the normal density, and why least squares is maximum likelihood.", SOURCES["linreg-d2l"]),
    ("pages/optimizers.py", "sports_score", "nn.Module and optimizers",
     "nn.Linear + nn.MSELoss + torch.optim; SGD, Momentum, AdaGrad, RMSProp and Adam race on one landscape.",
     SOURCES["linreg-module"]),
    ("pages/logistic_regression.py", "scatter_plot", "Logistic regression",
     "Sigmoid and cross-entropy by hand; the decision boundary moves as per-sample SGD runs.",
     SOURCES["logreg-manual"]),
    ("pages/lr_explorer.py", "tune", "Learning-rate explorer",
     "Dozens of learning rates trained at once: too small, just right, diverging.", SOURCES["linreg-module"]),
]

st.subheader("Lessons")
for path, icon, title, line, source in LESSONS:
    with st.container(border=True):
        c1, c2 = st.columns([0.08, 0.92])
        c1.markdown(f"## :material/{icon}:")
        c2.page_link(path, label=f"**{title}**")
        c2.caption(f"{line}  \nFollows: *{source}*")

try:
    device = resolve_device(st.session_state.get("w.device") or "cpu")
    st.info(f"Device in use: **{device}** (change it in the sidebar; only devices this server has are listed).")
except DeviceError as exc:
    st.warning(str(exc))
