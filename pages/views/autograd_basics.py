"""Lesson 1 · Autograd basics (seed 003, first half): requires_grad, grad_fn, the graph, backward()."""
import streamlit as st

from gdcore import registry
from gdcore.charts.autograd_basics import grad_history_chart
from gdcore.errors import GdError
from gdcore.lessons.autograd_basics import (
    FILL_LIMIT,
    HIDE_GROUPS,
    LINK_FIELDS,
    MAX_SIDE,
    VIEWS,
    AutogradDemo,
    data_vs_detach,
    numpy_demo,
    x_code,
)
from gdcore.presets import SOURCES
from pages import ui

T = ui.tr()

KEY = "autograd_basics"
STATE = "_autograd_basics.demo"
TUTORIAL_X = {f"w.{KEY}.fill": 1.0, f"w.{KEY}.rows": 2, f"w.{KEY}.cols": 2, f"w.{KEY}.requires_grad": True}

st.title(":material/account_tree: " + T("autograd_basics.title"))
st.caption(T("autograd_basics.follows", source=SOURCES["linreg-manual"]))
st.markdown(T("autograd_basics.intro"))

# -- the tensor x ---------------------------------------------------------------------------------
ui.defaults({**TUTORIAL_X, f"w.{KEY}.view": "forward"})
ui.share(KEY, LINK_FIELDS, HIDE_GROUPS, presets={"linreg-manual": TUTORIAL_X})
ui.link_notes(KEY)

show_x, show_rg = ui.shown(KEY, "x"), ui.shown(KEY, "requires_grad")
c = iter(st.columns(([1.2, 0.8, 0.8] if show_x else []) + ([1.4] if show_rg else []) + [1.6]))
if show_x:
    next(c).number_input(T("autograd_basics.x.fill"), min_value=-FILL_LIMIT, max_value=FILL_LIMIT, step=0.5,
                         key=f"w.{KEY}.fill", persist_state="session", help=T("autograd_basics.x.fill_help"))
    next(c).number_input(T("autograd_basics.x.rows"), min_value=1, max_value=MAX_SIDE, step=1, key=f"w.{KEY}.rows",
                         persist_state="session",
                         help=T("autograd_basics.x.shape_help"))
    next(c).number_input(T("autograd_basics.x.cols"), min_value=1, max_value=MAX_SIDE, step=1, key=f"w.{KEY}.cols",
                         persist_state="session",
                         help=T("autograd_basics.x.shape_help"))
if show_rg:
    next(c).toggle("requires_grad", key=f"w.{KEY}.requires_grad",
                   persist_state="session", help=T("autograd_basics.x.requires_grad_help"))
with next(c):
    if ui.shown(KEY, "presets"):
        ui.preset_button(T("autograd_basics.x.preset"), TUTORIAL_X, key=f"b.{KEY}.preset",
                         help=T("autograd_basics.x.preset_help"))
    ui.share_button(KEY, LINK_FIELDS)  # the address bar and the Share popover follow the widgets

fill, rows, cols, requires_grad = (st.session_state[k] for k in TUTORIAL_X)  # hidden widgets keep their values
settings = (float(fill), int(rows), int(cols), bool(requires_grad))
demo = st.session_state.get(STATE)
if demo is None or demo.settings != settings:
    try:
        demo = AutogradDemo(*settings)
        st.session_state[STATE] = demo
    except GdError as exc:
        st.error(T(exc.message))
        st.stop()


def _backward() -> None:
    st.session_state[STATE].backward()


def _backward_same() -> None:
    st.session_state[STATE].backward_same_graph()


def _zero() -> None:
    st.session_state[STATE].zero_grad()


snap = T.record(demo.snapshot())
n = snap["numel"]

# -- 1 · forward ------------------------------------------------------------------------------------
st.header(T("autograd_basics.forward.header"))
left, right = st.columns([1, 1.2])
with left:
    st.code(f"import torch\n{x_code(*settings)}\ny = x + 2\nz = y * y * 3\nout = z.mean()\n"
            "print(y.grad_fn)  # " + str(snap["tensors"][1]["grad_fn"]), language="python", wrap_lines=True)
with right:
    col_tensor, col_value = T("autograd_basics.forward.col_tensor"), T("autograd_basics.forward.col_value")
    st.dataframe(
        [{col_tensor: t["name"], col_value: t["shown"], "requires_grad": t["requires_grad"],
          "is_leaf": t["is_leaf"], "grad_fn": t["grad_fn"] or "None"} for t in snap["tensors"]],
        hide_index=True, width="stretch")
    if requires_grad:
        st.markdown(T("autograd_basics.forward.leaf"))
    else:
        st.warning(T("autograd_basics.forward.no_grad"))

# -- 2 · the graph ----------------------------------------------------------------------------------
st.header(T("autograd_basics.graph.header"))
g_left, g_right = st.columns([1, 1])
with g_right:
    if ui.shown(KEY, "view"):
        st.radio(T("autograd_basics.graph.view"), list(VIEWS), key=f"w.{KEY}.view", persist_state="session",
                 format_func=lambda v: T(f"autograd_basics.graph.view_{v}"), help=T("autograd_basics.graph.view_help"))
    view = st.session_state[f"w.{KEY}.view"]
    if not requires_grad:
        st.markdown(T("autograd_basics.graph.none"))
    elif view == "forward":
        st.markdown(T("autograd_basics.graph.forward"))
    else:
        st.markdown(T("autograd_basics.graph.backward") + "\n\n" + (
            T("autograd_basics.graph.grads_shown") if snap["backward_count"] or snap["graph_used"]
            else T("autograd_basics.graph.press_backward")))
with g_left:
    st.graphviz_chart(demo.dot(view, labels=T.labels), width="content")

# -- 3 · backward and x.grad --------------------------------------------------------------------------
st.header(T("autograd_basics.backward.header"))
st.latex(r"out = \frac{1}{%d}\sum_i 3\,(x_i+2)^2 \quad\Rightarrow\quad "  # noqa: UP031 - LaTeX braces stay single
         r"\frac{\partial\, out}{\partial x_i} = \frac{6\,(x_i+2)}{%d}%s" %
         (n, n, r" = \frac{3\,(x_i+2)}{2}" if n == 4 else ""))
b = st.columns([1.2, 1.2, 2.6])
b[0].button("▶ out.backward()", key=f"b.{KEY}.backward", on_click=_backward, type="primary", width="stretch",
            help=T("autograd_basics.backward.backward_help"))
b[1].button("x.grad.zero_()", key=f"b.{KEY}.zero", on_click=_zero, width="stretch",
            disabled=snap["x_grad"] is None, help=T("autograd_basics.backward.zero_help"))
b[2].caption(T("autograd_basics.backward.counts", built=snap["forward_count"], passes=snap["backward_count"])
             + (T("autograd_basics.backward.used") if snap["graph_used"] else ""))
if snap["last_error"] and not requires_grad:
    st.error(f"RuntimeError: {snap['last_error']}")
    st.caption(T("autograd_basics.backward.nothing_to_go_back"))

m = st.columns(4)
m[0].metric("x.grad", snap["x_grad_shown"], help=T("autograd_basics.backward.metric_grad_help"))
m[1].metric(T("autograd_basics.backward.metric_one_pass", n=n), snap["analytic_shown"],
            help=T("autograd_basics.backward.metric_one_pass_help"))
m[2].metric(T("autograd_basics.backward.metric_passes"), snap["backward_count"])
m[3].metric(T("autograd_basics.backward.metric_expected"), snap["expected_shown"],
            help=T("autograd_basics.backward.metric_expected_help"))
if snap["matches"] is True:
    st.success(T("autograd_basics.backward.agrees", passes=snap["backward_count"], n=n))
elif snap["matches"] is False:
    st.error(T("autograd_basics.backward.differs"))

if snap["backward_count"] >= 2:
    st.warning(T("autograd_basics.backward.accumulate", passes=snap["backward_count"]))
if demo.events:
    ui.chart(grad_history_chart(demo.events, labels=T.labels), "grad_history")

with st.expander(T("autograd_basics.zero.title")):
    st.markdown(T("autograd_basics.zero.text"))
    st.code("# seed 003, loss_fn\nfor i in [w, b]:\n    if i.grad is not None:\n        i.grad.data.zero_()\n"
            "loss.backward()\n\n# d2l, sgd\nwith torch.no_grad():\n    for param in params:\n"
            "        param -= lr * param.grad / batch_size\n        param.grad.zero_()",
            language="python", wrap_lines=True)

with st.expander(T("autograd_basics.same.title")):
    st.markdown(T("autograd_basics.same.text"))
    st.button(T("autograd_basics.same.button"), key=f"b.{KEY}.same", on_click=_backward_same,
              disabled=not requires_grad, help=T("autograd_basics.same.button_help"))
    if snap["last_error"] and requires_grad:
        st.error(f"RuntimeError: {snap['last_error']}")

# -- 4 · .data vs .detach() ----------------------------------------------------------------------------
st.header(T("autograd_basics.detach.header"))
# the demo needs a graph that still wants y; with requires_grad off there is none, so there is nothing to show
dd = T.record(data_vs_detach(*settings[:3])) if requires_grad else {}
if not requires_grad:
    st.info(T("autograd_basics.detach.off"), icon=":material/info:")
else:
    st.markdown(T("autograd_basics.detach.intro"))
d1, d2 = st.columns(2)
for col, way in ((d1, "detach"), (d2, "data")) if requires_grad else ():
    r = dd[way]
    with col:
        st.subheader(f"y.{'detach()' if way == 'detach' else 'data'}")
        st.code(f"y = x + 2\nz = y * y * 3\nout = z.mean()\n{r['code']}\n"
                f"alias.zero_()   # {T('autograd_basics.detach.code_comment', y=r['y_after'])}\n"
                "out.backward()", language="python", wrap_lines=True)
        st.caption(T("autograd_basics.detach.facts", shares=r["shares_storage"], requires_grad=r["alias_requires_grad"],
                     before=r["version_before"], after=r["version_after"]))
        if r["error"]:
            st.error(f"RuntimeError: {r['error']}")
            st.markdown(T("autograd_basics.detach.caught"))
        else:
            st.error(T("autograd_basics.detach.wrong", got=r["x_grad"], right=r["correct_grad"]))
            st.markdown(T("autograd_basics.detach.silent"))
st.caption(T("autograd_basics.detach.tutorials"))

# -- 5 · detach().numpy() ------------------------------------------------------------------------------
st.header(T("autograd_basics.numpy.header"))
nd = T.record(numpy_demo(*settings[:3], requires_grad=requires_grad))
e1, e2 = st.columns(2)
with e1:
    st.code("x.numpy()", language="python", wrap_lines=True)
    if nd["error"]:
        st.error(f"RuntimeError: {nd['error']}")
    else:  # x does not require grad: numpy can have it directly
        st.success(T("autograd_basics.numpy.works"))
with e2:
    st.code("a = x.detach().numpy()\na[0, 0] = 100\nprint(x)", language="python", wrap_lines=True)
    st.code(nd["x_printed"], language=None, wrap_lines=True)
st.markdown(T("autograd_basics.numpy.text", shares=nd["shares_memory"]))

# -- the tutorial -----------------------------------------------------------------------------------
with st.expander(T("autograd_basics.tutorial.title")):
    st.code("import torch\nx = torch.ones(2, 2, requires_grad=True)  # from now on every operation sets grad_fn\n"
            "print(x)\ny = x+2\nprint(y)\n\n"
            "out.backward()          # back-propagation: computes the gradients\n"
            "x.grad                  # the gradient; it ACCUMULATES, so zero it before each backward\n"
            "tensor.data             # the tensor's data\n"
            "tensor.detach().numpy() # to a numpy ndarray", language="python", wrap_lines=True)
st.page_link(registry.page("linear_regression").script, label=T("autograd_basics.next"),
             icon=":material/arrow_forward:")
