"""Lesson 4 · Why squared loss (seed 001's theory): the normal density, the noise, maximum likelihood."""
import pandas as pd
import streamlit as st

from gdcore import registry
from gdcore.charts.common import scatter_fit
from gdcore.charts.why_squared_loss import hist_height, legend_top, likelihood_chart, noise_histogram, pdf_chart
from gdcore.data import make_dataset
from gdcore.errors import GdError
from gdcore.lessons import why_squared_loss
from gdcore.presets import PRESETS, preset_config
from pages import ui

T = ui.tr()

KEY = "why_squared_loss"
W = f"w.{KEY}."
PAIRS = "_why_squared_loss.pairs"  # the learner's (μ, σ) table, kept under a key no widget owns
KEPT = "_why_squared_loss.widgets"  # the last widget values, in case a page switch dropped the widgets' own state
EDITOR = "t.squared.pairs"  # a data_editor's state cannot be re-assigned, so it gets no "w." key
D2L = {W + "source": "linreg-d2l", W + "noise": 0.01, W + "n": 1000}
SEED000 = {W + "source": "linreg-minibatch", W + "noise": 0.3, W + "n": 150}
BELL = {W + "mu": 0.0, W + "sigma": 1.0}
DEFAULT_TABLE = pd.DataFrame(why_squared_loss.DEFAULT_PAIRS, columns=["mu", "sigma"])
LINK_PRESETS = {"linreg-d2l": D2L, "linreg-minibatch": SEED000}  # ?preset=NAME loads these first
ui.defaults({**SEED000, **BELL, W + "sigma_mode": "fixed", W + "j": 0, **st.session_state.get(KEPT, {})})
# ?seed= is applied by the app
ui.share(KEY, why_squared_loss.LINK_FIELDS, why_squared_loss.HIDE_GROUPS, presets=LINK_PRESETS)

st.title(":material/bar_chart: " + T("why_squared_loss.title"))
ui.link_notes(KEY)
st.caption(T("why_squared_loss.caption", source=T("why_squared_loss.source")))
st.markdown(T("why_squared_loss.intro"))

# -- 1 · the normal distribution ----------------------------------------------------------------------
st.header(T("why_squared_loss.pdf.header"))


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
    if ui.shown(KEY, "bell"):
        st.markdown(T("why_squared_loss.pdf.bell"))
        b = st.columns(2)
        b[0].number_input(T("why_squared_loss.pdf.mu"), min_value=-why_squared_loss.MAX_ABS,
                          max_value=why_squared_loss.MAX_ABS,
                          step=0.5, format="%g", key=W + "mu", persist_state="session",
                          help=T("why_squared_loss.pdf.mu_help"))
        b[1].number_input(T("why_squared_loss.pdf.sigma"), min_value=why_squared_loss.MIN_SIGMA,
                          max_value=why_squared_loss.MAX_ABS, step=0.5, format="%g", key=W + "sigma",
                          persist_state="session", help=T("why_squared_loss.pdf.sigma_help"))
    if ui.shown(KEY, "table"):
        edited = st.data_editor(
            st.session_state[f"{PAIRS}.base"], key=EDITOR, num_rows="dynamic", hide_index=True, width="stretch",
            column_config={
                "mu": st.column_config.NumberColumn(T("why_squared_loss.pdf.mu"),
                                                    help=T("why_squared_loss.pdf.mu_help"), format="%g",
                                                    min_value=-why_squared_loss.MAX_ABS,
                                                    max_value=why_squared_loss.MAX_ABS),
                "sigma": st.column_config.NumberColumn(T("why_squared_loss.pdf.sigma"),
                                                       help=T("why_squared_loss.pdf.sigma_help"),
                                                       format="%g", min_value=why_squared_loss.MIN_SIGMA,
                                                       max_value=why_squared_loss.MAX_ABS)})
        st.session_state[PAIRS] = edited
        st.button(T("why_squared_loss.pdf.reset"), key=f"b.{KEY}.pairs", on_click=_reset_pairs,
                  help=T("why_squared_loss.pdf.reset_help"))
    else:
        edited = st.session_state.get(PAIRS, DEFAULT_TABLE)
mu, sigma = float(st.session_state[W + "mu"]), float(st.session_state[W + "sigma"])
table_pairs, problems = why_squared_loss.parse_pairs(edited)
problems = [T(p) for p in problems]
pairs = [(mu, sigma)] + [p for p in table_pairs if p != (mu, sigma)]  # the bell first, then the table's
with right:
    for p in problems:
        st.warning(T("why_squared_loss.pdf.problem", problem=p[:1].upper() + p[1:]))
    ui.chart(pdf_chart(why_squared_loss.pdf_table(pairs), title=T("why_squared_loss.pdf.chart_title"), labels=T.labels),
             "densities")
    st.metric(T("why_squared_loss.pdf.peak"), f"{why_squared_loss.peak_density(sigma):.6g}",
              help=T("why_squared_loss.pdf.peak_help"))
    st.caption(T("why_squared_loss.pdf.explain"))

# -- 2 · the noise in the data ------------------------------------------------------------------------
st.header(T("why_squared_loss.noise.header"))
if ui.shown(KEY, "presets"):
    p1, p2, _ = st.columns([1.3, 1.3, 2])
    with p1:
        ui.preset_button(T("why_squared_loss.noise.preset_d2l"), D2L, key=f"b.{KEY}.preset_d2l",
                          help=T("why_squared_loss.noise.preset_d2l_help"))
    with p2:
        ui.preset_button(T("why_squared_loss.noise.preset_000"), SEED000, key=f"b.{KEY}.preset_000",
                          help=T("why_squared_loss.noise.preset_000_help"))
if ui.shown(KEY, "data"):
    c = st.columns([1.6, 1.4, 1])
    c[0].selectbox(T("why_squared_loss.noise.data"), list(why_squared_loss.SOURCES),
                   format_func=lambda v: T(f"why_squared_loss.sources.{v}"), key=W + "source",
                   persist_state="session", help=T("why_squared_loss.noise.data_help"))
    c[1].slider(T("why_squared_loss.noise.noise"), min_value=why_squared_loss.NOISE_RANGE[0],
                max_value=why_squared_loss.NOISE_RANGE[1], step=0.01, key=W + "noise",
                persist_state="session", help=T("why_squared_loss.noise.noise_help"))
    c[2].number_input(T("why_squared_loss.noise.n"), min_value=why_squared_loss.N_RANGE[0],
                      max_value=why_squared_loss.N_RANGE[1], step=10, key=W + "n",
                      persist_state="session", help=T("why_squared_loss.noise.n_help"))
source, noise, n = st.session_state[W + "source"], float(st.session_state[W + "noise"]), int(st.session_state[W + "n"])
seed, _device = ui.settings(PRESETS[source].seed)

try:
    data = make_dataset(preset_config(source, noise=noise, n=n, seed=int(seed)))
    fit = why_squared_loss.fit_noise(data.X, data.y)
except GdError as exc:
    st.error(T(exc.message))
    st.stop()

hist = why_squared_loss.histogram(fit.residuals)
lo, hi = float(hist["left"].min()), float(hist["right"].max())
span = max(hi - lo, 1e-12)
curves = [why_squared_loss.gaussian_curve(0.0, fit.sigma, lo - 0.1 * span, hi + 0.1 * span,
                                label=T("why_squared_loss.noise.fitted_curve", sigma=f"{fit.sigma:.4g}")),
          why_squared_loss.gaussian_curve(0.0, noise, lo - 0.1 * span, hi + 0.1 * span,
                                label=T("why_squared_loss.noise.true_curve", noise=f"{noise:g}"))]
# the data chart and the histogram side by side, equally tall (the histogram's legend may wrap)
side_height = hist_height(legend_top([c["label"].iloc[0] for c in curves])[1])
g1, g2 = st.columns(2)
with g1:
    line = [{"label": T("why_squared_loss.noise.fit_line"), "w": fit.w[0], "b": fit.b}]
    ui.chart(scatter_fit(data.X[:, 0].numpy(), data.y.numpy(), lines=line if data.n_features == 1 else None,
                          title=T("why_squared_loss.noise.data_title" if data.n_features == 1
                                  else "why_squared_loss.noise.data_title_feature1"),
                          x_title=data.feature_names[0], height=side_height, labels=T.labels), "data")
with g2:
    ui.chart(noise_histogram(hist, curves, title=T("why_squared_loss.noise.residuals_title"), height=side_height,
                             labels=T.labels), "residuals")
w_names = ["w"] if data.n_features == 1 else [f"w{i + 1}" for i in range(data.n_features)]
m = st.columns(len(w_names) + 3)
for i, name in enumerate(w_names):
    m[i].metric(f"{name}*", f"{fit.w[i]:.4f}", help=T("why_squared_loss.noise.w_help", name=name,
                                                      true=f"{data.true_w[i]:g}"))
m[-3].metric("b*", f"{fit.b:.4f}", help=T("why_squared_loss.noise.b_help", true=f"{data.true_b:g}"))
m[-2].metric(T("why_squared_loss.noise.sigma_hat"), f"{fit.sigma:.4g}", help=T("why_squared_loss.noise.sigma_hat_help"))
m[-1].metric(T("why_squared_loss.noise.true_sigma"), f"{noise:g}", help=T("why_squared_loss.noise.true_sigma_help"))
st.markdown(T("why_squared_loss.noise.explain"))

# -- 3 · from Gaussian noise to squared loss -------------------------------------------------------------
st.header(T("why_squared_loss.likelihood.header"))
st.markdown(T("why_squared_loss.likelihood.intro"))
st.latex(r"-\log L(w, b) = \frac{n}{2}\log(2\pi\sigma^2) + "
         r"\frac{1}{2\sigma^2}\sum_{i=1}^{n}\left(y_i - x_i w - b\right)^2")
st.markdown(T("why_squared_loss.likelihood.explain"))
names = w_names
if data.n_features > 1 and st.session_state[W + "j"] >= data.n_features:
    st.session_state[W + "j"] = 0
if ui.shown(KEY, "likelihood"):
    k = st.columns([1.4, 1, 1])
    if data.n_features > 1:
        k[1].selectbox(T("why_squared_loss.likelihood.vary"), range(data.n_features), format_func=lambda i: names[i],
                       key=W + "j", persist_state="session", help=T("why_squared_loss.likelihood.vary_help"))
    k[0].radio(T("why_squared_loss.likelihood.sigma_mode"), list(why_squared_loss.SIGMA_MODES), horizontal=True,
               key=W + "sigma_mode", persist_state="session",
               format_func=lambda v: T(f"why_squared_loss.likelihood.{v}"),
               help=T("why_squared_loss.likelihood.sigma_mode_help"))
sigma_mode = st.session_state[W + "sigma_mode"]
j = int(st.session_state[W + "j"]) if data.n_features > 1 else 0
st.session_state[KEPT] = {key: st.session_state[key] for key in (*SEED000, *BELL, W + "sigma_mode", W + "j")}
curve = why_squared_loss.likelihood_curve(data.X, data.y, j=j)
which = "nll" if sigma_mode == "fixed" else "nll_profile"
ui.chart(likelihood_chart(curve.frame(which), curve.w_ls, w_name=names[j],
                           nll_title=T("why_squared_loss.likelihood.nll_title"),
                          mse_title=T("why_squared_loss.likelihood.mse_title"),
                           labels=T.labels), "likelihood")
st.caption(T("why_squared_loss.likelihood.minimiser", name=names[j], nll=f"{curve.argmin(which):.4f}",
             mse=f"{curve.argmin('mse'):.4f}", ls=f"{curve.w_ls:.4f}",
             rest=T("why_squared_loss.likelihood.rest_many" if data.n_features > 1
                    else "why_squared_loss.likelihood.rest_one")))
ui.share_button(KEY, why_squared_loss.LINK_FIELDS)

# -- code, data, next ------------------------------------------------------------------------------------
with st.expander(T("why_squared_loss.more.code")):
    st.code("def normal(x, mu, sigma):\n    p = 1/ math.sqrt(2 * math.pi * sigma**2)\n"
            "    return p* np.exp(-0.5 / sigma**2 * (x-mu)**2)\n\n"
            "def synthetic_data(w, b, num_examples):\n"
            "    X = torch.normal(0, 1, (num_examples, len(w)))\n    y = torch.matmul(X, w) + b\n"
            "    y += torch.normal(0, 0.01, y.shape)   # the noise: N(0, 0.01²)\n"
            "    return X, y.reshape((-1, 1))\n\n"
            "def squared_loss(y_hat, y):\n    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2",
            language="python", wrap_lines=True)
st.download_button(T("why_squared_loss.more.csv"), data.to_csv(), file_name=f"{source}_noise{noise:g}.csv",
                   mime="text/csv", key=f"b.{KEY}.dl_csv", icon=":material/download:")
st.page_link(registry.page("optimizers").script, label=T("why_squared_loss.more.next"), icon=":material/arrow_forward:")
