"""Lesson 1 · Autograd basics (seed 003, first half): requires_grad, grad_fn, the graph, backward()."""
import streamlit as st

from gdcore.autograd_demo import MAX_SIDE, AutogradDemo, data_vs_detach, numpy_demo, x_code
from gdcore.charts.autograd import grad_history_chart
from gdcore.errors import GdError
from gdcore.presets import SOURCES
from pages import _ui

_ui.page_guard("pages/autograd_basics.py")

KEY = "autograd"
STATE = "_autograd.demo"
KEPT = "_autograd.widgets"  # the last widget values, in case a page switch dropped the widgets' own state
TUTORIAL_X = {f"w.{KEY}.fill": 1.0, f"w.{KEY}.rows": 2, f"w.{KEY}.cols": 2, f"w.{KEY}.requires_grad": True}

st.title(":material/account_tree: Autograd basics")
st.caption(f"Follows: *{SOURCES['linreg-manual']}*, first half: `requires_grad`, `grad_fn`, `backward()`, "
           "`x.grad`, `.data`, `.detach().numpy()`.")
st.markdown(
    "Gradient descent needs Δw, the gradient of the loss with respect to every parameter. PyTorch gets it by "
    "**recording** every operation on a tensor that has `requires_grad=True`, then walking that record "
    "backwards with the chain rule when you call `backward()`. Below is the tutorial's tiny example, live."
)

# -- the tensor x ---------------------------------------------------------------------------------
for k, v in {**TUTORIAL_X, f"w.{KEY}.view": "forward", **st.session_state.get(KEPT, {})}.items():
    st.session_state.setdefault(k, v)
c = st.columns([1.2, 0.8, 0.8, 1.4, 1.6])
fill = c[0].number_input("fill value of x", min_value=-1000.0, max_value=1000.0, step=0.5, key=f"w.{KEY}.fill",
                         help="Every entry of x starts at this value; the tutorial uses torch.ones (1).")
rows = c[1].number_input("rows", min_value=1, max_value=MAX_SIDE, step=1, key=f"w.{KEY}.rows",
                         help="Shape of x: the tutorial's x is 2×2.")
cols = c[2].number_input("cols", min_value=1, max_value=MAX_SIDE, step=1, key=f"w.{KEY}.cols",
                         help="Shape of x: the tutorial's x is 2×2.")
requires_grad = c[3].toggle("requires_grad", key=f"w.{KEY}.requires_grad",
                            help="On: x = torch.ones(2, 2, requires_grad=True), autograd records every operation. "
                                 "Off: autograd records nothing, y has no grad_fn and out.backward() fails.")
with c[4]:
    _ui.preset_button("↺ Tutorial's x: torch.ones(2, 2)", TUTORIAL_X, key=f"b.{KEY}.preset",
                      help="x = torch.ones(2, 2, requires_grad=True), as in the tutorial (a fresh graph).")

settings = (float(fill), int(rows), int(cols), bool(requires_grad))
st.session_state[KEPT] = {k: st.session_state[k] for k in TUTORIAL_X}
demo = st.session_state.get(STATE)
if demo is None or demo.settings != settings:
    try:
        demo = AutogradDemo(*settings)
        st.session_state[STATE] = demo
    except GdError as exc:
        st.error(str(exc))
        st.stop()


def _backward() -> None:
    st.session_state[STATE].backward()


def _backward_same() -> None:
    st.session_state[STATE].backward_same_graph()


def _zero() -> None:
    st.session_state[STATE].zero_grad()


snap = demo.snapshot()
n = snap["numel"]

# -- 1 · forward ------------------------------------------------------------------------------------
st.header("1 · Forward: every result remembers how it was made")
left, right = st.columns([1, 1.2])
with left:
    st.code(f"import torch\n{x_code(*settings)}\ny = x + 2\nz = y * y * 3\nout = z.mean()\n"
            "print(y.grad_fn)  # " + str(snap["tensors"][1]["grad_fn"]), language="python")
with right:
    st.dataframe(
        [{"tensor": t["name"], "value": t["shown"], "requires_grad": t["requires_grad"],
          "is_leaf": t["is_leaf"], "grad_fn": t["grad_fn"] or "None"} for t in snap["tensors"]],
        hide_index=True, width="stretch")
    if requires_grad:
        st.markdown(
            "`x` is a **leaf**: you made it, so it has no `grad_fn`. Every tensor computed from it gets a "
            "`grad_fn`, the backward function of the operation that made it (`AddBackward0` for `+`, "
            "`MulBackward0` for `*`, `MeanBackward0` for `.mean()`).")
    else:
        st.warning("With `requires_grad=False` nothing is recorded: every `grad_fn` is `None` and there is "
                   "no graph to go back through. This is what you want for data (X, y), and what "
                   "`with torch.no_grad():` does for the update step.")

# -- 2 · the graph ----------------------------------------------------------------------------------
st.header("2 · The computational graph")
g_left, g_right = st.columns([1, 1])
with g_right:
    view = st.radio("show", ["forward", "backward"], key=f"w.{KEY}.view",
                    format_func={"forward": "forward: how out was computed",
                                 "backward": "backward: how out.backward() walks grad_fn.next_functions"}.get,
                    help="Same graph, arrows either way. The backward view labels each tensor with its grad "
                         "(d out / d tensor) once you have called out.backward().")
    st.session_state[KEPT][f"w.{KEY}.view"] = view
    if not requires_grad:
        st.markdown("With `requires_grad=False` there are **no boxes and no arrows**: autograd recorded nothing, "
                    "so every tensor is just numbers (and counts as a leaf). Switch `requires_grad` back on to "
                    "see the graph appear.")
    elif view == "forward":
        st.markdown(
            "- **Ellipses** are tensors (blue: the leaf `x`, the one you made).\n"
            "- **Boxes** are the `grad_fn` nodes autograd recorded, one per operation.\n"
            "- Plain numbers are **constants**: they need no gradient (`None` in `next_functions`).\n"
            "- `y` feeds `y * y` twice: two arrows.\n\n"
            "PyTorch keeps only the boxes and their links: `out.grad_fn.next_functions` leads to the box "
            "below it, and so on down to `x`. This picture was drawn by walking exactly that.")
    else:
        st.markdown(
            "- **Red arrows**: the order `out.backward()` runs, from `out` back to `x`.\n"
            "- Each box multiplies the gradient coming in by its **local derivative** (the chain rule).\n"
            "- The two paths out of `y * y` are **added**.\n"
            "- `AccumulateGrad` **adds** the result into `x.grad`: the reason gradients accumulate.\n\n"
            + ("Each tensor shows its `grad` = d out / d tensor." if snap["backward_count"] or snap["graph_used"]
               else "Press **▶ out.backward()** below to fill in each tensor's `grad`."))
with g_left:
    st.graphviz_chart(demo.dot(view), width="content")

# -- 3 · backward and x.grad --------------------------------------------------------------------------
st.header("3 · out.backward() and x.grad")
st.latex(r"out = \frac{1}{%d}\sum_i 3\,(x_i+2)^2 \quad\Rightarrow\quad "
         r"\frac{\partial\, out}{\partial x_i} = \frac{6\,(x_i+2)}{%d}%s" %
         (n, n, r" = \frac{3\,(x_i+2)}{2}" if n == 4 else ""))
b = st.columns([1.2, 1.2, 2.6])
b[0].button("▶ out.backward()", key=f"b.{KEY}.backward", on_click=_backward, type="primary", width="stretch",
            help="Runs out.backward(). If this graph was used by an earlier backward, it is first built again "
                 "(y = x + 2; z = y * y * 3; out = z.mean()), as a training loop does every step.")
b[1].button("x.grad.zero_()", key=f"b.{KEY}.zero", on_click=_zero, width="stretch",
            disabled=snap["x_grad"] is None, help="Sets every entry of x.grad to 0, in place.")
b[2].caption(f"graph built {snap['forward_count']}× · backward passes since the last zero: "
             f"**{snap['backward_count']}**" + (" · this graph was used, the next click builds it again"
                                                if snap["graph_used"] else ""))
if snap["last_error"] and not requires_grad:
    st.error(f"RuntimeError: {snap['last_error']}")
    st.caption("Nothing in the graph requires a gradient, so there is nothing to go back through.")

m = st.columns(4)
m[0].metric("x.grad", snap["x_grad_shown"], help="What PyTorch has stored in x.grad right now.")
m[1].metric(f"one pass: 6(x+2)/{n}", snap["analytic_shown"], help="The analytic gradient of out for one backward.")
m[2].metric("backward passes since zero", snap["backward_count"])
m[3].metric("expected x.grad", snap["expected_shown"], help="passes × the analytic gradient")
if snap["matches"] is True:
    st.success(f"x.grad = {snap['backward_count']} × 6(x+2)/{n}: autograd agrees with the calculus.")
elif snap["matches"] is False:
    st.error("x.grad differs from the analytic value.")

if snap["backward_count"] >= 2:
    st.warning(f"**Gradients accumulate.** `backward()` *adds* into `x.grad`, so after {snap['backward_count']} "
               "passes it holds the sum of them all. In a training loop that would make every step use the sum of "
               "all past gradients: zero it first.")
if demo.events:
    st.altair_chart(grad_history_chart(demo.events), width="stretch")

with st.expander("Why zero the gradient, and where the tutorials do it"):
    st.markdown(
        "`backward()` adds to `.grad` rather than overwriting it (handy when a gradient is built from several "
        "parts). A training step wants only *this* step's gradient, so every loop clears it, either before "
        "`backward()` (seed 003's `loss_fn`) or after the update (d2l's `sgd`):")
    st.code("# seed 003, loss_fn\nfor i in [w, b]:\n    if i.grad is not None:\n        i.grad.data.zero_()\n"
            "loss.backward()\n\n# d2l, sgd\nwith torch.no_grad():\n    for param in params:\n"
            "        param -= lr * param.grad / batch_size\n        param.grad.zero_()", language="python")

with st.expander("What if we call out.backward() twice on the SAME graph?"):
    st.markdown("The ▶ button builds the graph again before each backward. Skip that, and autograd refuses: "
                "the first backward freed the values it saved (such as `y` for `y * y`).")
    st.button("out.backward() on the same graph", key=f"b.{KEY}.same", on_click=_backward_same,
              disabled=not requires_grad, help="Calls out.backward() without rebuilding the graph.")
    if snap["last_error"] and requires_grad:
        st.error(f"RuntimeError: {snap['last_error']}")

# -- 4 · .data vs .detach() ----------------------------------------------------------------------------
st.header("4 · .data vs .detach()")
st.markdown("Both give you `y`'s numbers **without** autograd tracking (`requires_grad=False`), and both **share "
            "y's storage**. The difference shows when you change them in place while the graph still needs `y` "
            "(`y * y` saved it for its backward). Here each one zeroes `y`, then `out.backward()` runs:")
dd = data_vs_detach(*settings[:3])
d1, d2 = st.columns(2)
for col, way in ((d1, "detach"), (d2, "data")):
    r = dd[way]
    with col:
        st.subheader(f"y.{'detach()' if way == 'detach' else 'data'}")
        st.code(f"y = x + 2\nz = y * y * 3\nout = z.mean()\n{r['code']}\n"
                f"alias.zero_()   # y is now {r['y_after']} too\n"
                "out.backward()", language="python")
        st.caption(f"shares storage with y: **{r['shares_storage']}** · requires_grad: {r['alias_requires_grad']} · "
                   f"y's version counter: {r['version_before']} → **{r['version_after']}**")
        if r["error"]:
            st.error(f"RuntimeError: {r['error']}")
            st.markdown("✅ **Caught.** The in-place change bumped `y`'s version counter; autograd checks it "
                        "and refuses to compute a wrong gradient.")
        else:
            st.error(f"No error, but x.grad = **{r['x_grad']}**; the right answer is {r['correct_grad']}.")
            st.markdown("⚠️ **Silently wrong.** `.data` changes bypass the version counter, so backward used "
                        "the zeroed `y`. Prefer `.detach()` (or `with torch.no_grad():`).")
st.caption("The tutorials update parameters with `w.data -= lr * w.grad.data`: safe there, because no graph still "
           "needs `w` at that moment. `tensor.data` is how the tutorial reads a tensor's numbers.")

# -- 5 · detach().numpy() ------------------------------------------------------------------------------
st.header("5 · tensor.detach().numpy()")
nd = numpy_demo(*settings[:3])
e1, e2 = st.columns(2)
with e1:
    st.code("x.numpy()", language="python")
    st.error(f"RuntimeError: {nd['error']}")
with e2:
    st.code("a = x.detach().numpy()\na[0, 0] = 100\nprint(x)", language="python")
    st.code(nd["x_printed"], language=None)
st.markdown(
    "NumPy cannot follow autograd, so PyTorch asks you to `detach()` first. The array is a **view** of the same "
    f"memory (shares memory: {nd['shares_memory']}), not a deep copy: writing into it changed `x`. For an independent "
    "copy use `x.detach().numpy().copy()` (or `x.detach().clone()`).")

# -- the tutorial -----------------------------------------------------------------------------------
with st.expander("The tutorial's lines (seed 003)"):
    st.code("import torch\nx = torch.ones(2, 2, requires_grad=True)  # from now on every operation sets grad_fn\n"
            "print(x)\ny = x+2\nprint(y)\n\n"
            "out.backward()          # back-propagation: computes the gradients\n"
            "x.grad                  # the gradient; it ACCUMULATES, so zero it before each backward\n"
            "tensor.data             # the tensor's data\n"
            "tensor.detach().numpy() # to a numpy ndarray", language="python")
st.page_link("pages/linear_regression.py", label="Next: 2 · Linear regression by hand: these gradients drive "
             "w.data -= lr * w.grad", icon="➡️")
