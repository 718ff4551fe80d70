"""Lesson 4 · Why squared loss (seed 001's theory): the normal density, the noise, maximum likelihood."""
import pandas as pd
import streamlit as st

from gdcore import theory
from gdcore.charts.common import scatter_fit
from gdcore.charts.theory import likelihood_chart, noise_histogram, pdf_chart
from gdcore.data import make_dataset
from gdcore.errors import GdError
from gdcore.presets import PRESETS, SOURCES, preset_config
from pages import _ui

_ui.page_guard("pages/why_squared_loss.py")

KEY = "squared"
PAIRS = "_squared.pairs"  # the learner's (μ, σ) table, kept under a key no widget owns
KEPT = "_squared.widgets"  # the last widget values, in case a page switch dropped the widgets' own state
EDITOR = "t.squared.pairs"  # a data_editor's state cannot be re-assigned, so it gets no "w." key
SOURCES_SHOWN = {"linreg-minibatch": "seed 000: 1 feature, y = 2x + 6 + noise",
                 "linreg-d2l": "d2l: 2 features, y = X·[2, −3.4] + 4.2 + noise"}
D2L = {f"w.{KEY}.source": "linreg-d2l", f"w.{KEY}.noise": 0.01, f"w.{KEY}.n": 1000}
SEED000 = {f"w.{KEY}.source": "linreg-minibatch", f"w.{KEY}.noise": 0.3, f"w.{KEY}.n": 150}
DEFAULT_TABLE = pd.DataFrame(theory.DEFAULT_PAIRS, columns=["mu", "sigma"])

st.title(":material/bar_chart: Why squared loss")
st.caption(f"Follows: *{SOURCES['linreg-d2l']}*, the theory part: the normal distribution and squared loss.")
st.markdown(
    "Linear regression assumes every label is the model plus **Gaussian noise**: y = Xw + b + ε with "
    "ε ~ N(0, σ²). If that is how the data arose, the (w, b) that make the data *most likely* are exactly the "
    "(w, b) with the *smallest squared loss*. Three steps: the normal density, the noise in real data, the link.")

# -- 1 · the normal distribution ----------------------------------------------------------------------
st.header("1 · The normal distribution")


def _reset_pairs() -> None:
    st.session_state[PAIRS] = DEFAULT_TABLE.copy()
    st.session_state.pop(EDITOR, None)


if EDITOR not in st.session_state or PAIRS not in st.session_state:
    # a fresh editor (first visit, or back from another page): start it from the kept table
    st.session_state[f"{PAIRS}.base"] = st.session_state.get(PAIRS, DEFAULT_TABLE).copy()
left, right = st.columns([1, 1.6])
with left:
    st.latex(r"p(x) = \frac{1}{\sqrt{2\pi\sigma^2}}\exp\!\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)")
    st.code("def normal(x, mu, sigma):\n    p = 1 / math.sqrt(2 * math.pi * sigma**2)\n"
            "    return p * np.exp(-0.5 / sigma**2 * (x - mu)**2)", language="python", wrap_lines=True)
    edited = st.data_editor(
        st.session_state[f"{PAIRS}.base"], key=EDITOR, num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "mu": st.column_config.NumberColumn("μ (mean)", help="Where the bell is centred.", format="%g",
                                                min_value=-theory.MAX_ABS, max_value=theory.MAX_ABS),
            "sigma": st.column_config.NumberColumn("σ (std)", help="How wide it is; must be positive.",
                                                   format="%g", min_value=0.001, max_value=theory.MAX_ABS)})
    st.session_state[PAIRS] = edited
    st.button("↺ d2l's pairs: (0, 1), (0, 2), (3, 1)", key=f"b.{KEY}.pairs", on_click=_reset_pairs,
              help="Put back the three (μ, σ) pairs the d2l chapter plots.")
pairs, problems = theory.parse_pairs(edited)
with right:
    for p in problems:
        st.warning(p[0].upper() + p[1:] + ".")
    if pairs:
        st.altair_chart(pdf_chart(theory.pdf_table(pairs)), width="stretch")
    else:
        st.info("Add a row with μ and σ to draw its density.")
    st.caption("μ moves the bell; a larger σ makes it wider **and lower**, because the area under every curve "
               "is 1. Edit the table (add rows at its bottom) to compare.")

# -- 2 · the noise in the data ------------------------------------------------------------------------
st.header("2 · The noise in the data")
for k, v in {**SEED000, f"w.{KEY}.sigma_mode": "fixed", f"w.{KEY}.j": 0, **st.session_state.get(KEPT, {})}.items():
    st.session_state.setdefault(k, v)
p1, p2, _ = st.columns([1.3, 1.3, 2])
with p1:
    _ui.preset_button("d2l data: noise 0.01, n = 1000", D2L, key=f"b.{KEY}.preset_d2l",
                      help="synthetic_data(true_w=[2, -3.4], true_b=4.2, 1000): the d2l tutorial's data set.")
with p2:
    _ui.preset_button("seed-000 data: noise 0.3, n = 150", SEED000, key=f"b.{KEY}.preset_000",
                      help="x = 5 * rand(150, 1), y = 2x + 6 + 0.3 * randn: noise big enough to see.")
c = st.columns([1.6, 1.4, 1])
source = c[0].selectbox("data", list(SOURCES_SHOWN), format_func=SOURCES_SHOWN.get, key=f"w.{KEY}.source",
                        help="Which tutorial's generator makes X and y.")
noise = c[1].slider("noise σ", min_value=0.01, max_value=2.0, step=0.01, key=f"w.{KEY}.noise",
                    help="Std of the Gaussian noise ε added to every label.")
n = c[2].number_input("n (samples)", min_value=10, max_value=100_000, step=10, key=f"w.{KEY}.n",
                      help="How many (x, y) pairs are drawn. More samples: a smoother histogram.")
seed, _device = _ui.settings(PRESETS[source].seed)
st.session_state[KEPT] = {k: st.session_state[k] for k in SEED000}

try:
    data = make_dataset(preset_config(source, noise=float(noise), n=int(n), seed=int(seed)))
    fit = theory.fit_noise(data.X, data.y)
except GdError as exc:
    st.error(str(exc))
    st.stop()

hist = theory.histogram(fit.residuals)
lo, hi = float(hist["left"].min()), float(hist["right"].max())
span = max(hi - lo, 1e-12)
curves = [theory.gaussian_curve(0.0, fit.sigma, lo - 0.1 * span, hi + 0.1 * span,
                                label=f"fitted: N(0, σ̂²), σ̂ = {fit.sigma:.4g}"),
          theory.gaussian_curve(0.0, float(noise), lo - 0.1 * span, hi + 0.1 * span,
                                label=f"true noise: N(0, {float(noise):g}²)")]
g1, g2 = st.columns(2)
with g1:
    line = [{"label": "least-squares line y = w*x + b*", "w": fit.w[0], "b": fit.b}]
    st.altair_chart(scatter_fit(data.X[:, 0].numpy(), data.y.numpy(), lines=line if data.n_features == 1 else None,
                                title="The data" if data.n_features == 1 else "The data: feature 1 against y",
                                x_title=data.feature_names[0], height=280), width="stretch")
with g2:
    st.altair_chart(noise_histogram(hist, curves), width="stretch")
w_names = ["w"] if data.n_features == 1 else [f"w{i + 1}" for i in range(data.n_features)]
m = st.columns(len(w_names) + 3)
for i, name in enumerate(w_names):
    m[i].metric(f"{name}*", f"{fit.w[i]:.4f}", help=f"Least-squares {name}; the data was made with {name} = "
                f"{data.true_w[i]:g}.")
m[-3].metric("b*", f"{fit.b:.4f}", help=f"Least-squares b; the data was made with b = {data.true_b:g}.")
m[-2].metric("σ̂ of the residuals", f"{fit.sigma:.4g}", help="sqrt(mean((y − ŷ)²)) at the least-squares fit.")
m[-1].metric("true noise σ", f"{float(noise):g}", help="The noise σ the data was generated with.")
st.markdown(
    "The **residuals** y − (Xw* + b*) are what the best line cannot explain: our estimate of the noise ε. Their "
    "histogram (as a density, area 1) follows the bell N(0, σ̂²), and σ̂ comes out close to the noise σ that made "
    "the data.")

# -- 3 · from Gaussian noise to squared loss -------------------------------------------------------------
st.header("3 · Gaussian noise ⇒ squared loss")
st.markdown("If ε ~ N(0, σ²), each label has the density p(y | x) = N(y; xw + b, σ²). The likelihood of the whole "
            "data set is their product; its negative log is")
st.latex(r"-\log L(w, b) = \frac{n}{2}\log(2\pi\sigma^2) + "
         r"\frac{1}{2\sigma^2}\sum_{i=1}^{n}\left(y_i - x_i w - b\right)^2")
st.markdown(
    "The first term does not depend on (w, b), and the second is the **sum of squared errors** times a positive "
    "number. So whatever σ is, the (w, b) that maximise the likelihood are the ones that minimise the squared loss. "
    "d2l's `squared_loss = (y_hat - y)**2 / 2` is that second term with σ = 1.")
k = st.columns([1.4, 1, 1])
names = w_names
j = 0
if data.n_features > 1:
    if st.session_state[f"w.{KEY}.j"] >= data.n_features:
        st.session_state[f"w.{KEY}.j"] = 0
    j = k[1].selectbox("vary", range(data.n_features), format_func=lambda i: names[i], key=f"w.{KEY}.j",
                       help="The weight on the x axis; b and the other weights sit at their best values for each one.")
sigma_mode = k[0].radio("σ in the likelihood", ["fixed", "profile"], horizontal=True, key=f"w.{KEY}.sigma_mode",
                        format_func={"fixed": "fixed at σ̂", "profile": "re-estimated for every w"}.get,
                        help="Fixed σ: NLL is the squared loss scaled and shifted, the same curve. Re-estimated "
                             "(σ² = SSE/n): a different shape, still the same minimiser.")
st.session_state[KEPT][f"w.{KEY}.sigma_mode"] = sigma_mode
if data.n_features > 1:
    st.session_state[KEPT][f"w.{KEY}.j"] = j
curve = theory.likelihood_curve(data.X, data.y, j=j)
frame = curve.frame("nll" if sigma_mode == "fixed" else "nll_profile")
st.altair_chart(likelihood_chart(frame, curve.w_ls, w_name=names[j],
                                 nll_title="negative log-likelihood (left)",
                                 mse_title="mean squared loss (right, dashed)"), width="stretch")
argmin_nll = curve.argmin("nll" if sigma_mode == "fixed" else "nll_profile")
st.caption(f"Over this grid, NLL is smallest at {names[j]} = {argmin_nll:.4f} and the squared loss at "
           f"{curve.argmin('mse'):.4f}; least squares gives {curve.w_ls:.4f}. "
           + ("(b and the other weights at their best for each value.)" if data.n_features > 1
              else "(b at its best for each w.)"))

# -- code, data, next ------------------------------------------------------------------------------------
with st.expander("The tutorial's lines (d2l, seed 001)"):
    st.code("def normal(x, mu, sigma):\n    p = 1/ math.sqrt(2 * math.pi * sigma**2)\n"
            "    return p* np.exp(-0.5 / sigma**2 * (x-mu)**2)\n\n"
            "def synthetic_data(w, b, num_examples):\n"
            "    X = torch.normal(0, 1, (num_examples, len(w)))\n    y = torch.matmul(X, w) + b\n"
            "    y += torch.normal(0, 0.01, y.shape)   # the noise: N(0, 0.01²)\n"
            "    return X, y.reshape((-1, 1))\n\n"
            "def squared_loss(y_hat, y):\n    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2", language="python")
st.download_button("⬇ This data (.csv)", data.to_csv(), file_name=f"{source}_noise{float(noise):g}.csv",
                   mime="text/csv", key=f"b.{KEY}.dl_csv")
st.page_link("pages/optimizers.py", label="Next: 5 · nn.Module and optimizers: nn.MSELoss is this loss", icon="➡️")
