"""Lesson: logistic regression by hand (seed 004): sigmoid, cross-entropy, per-sample SGD, the boundary."""
import streamlit as st

from gdcore import charts, printouts
from gdcore.charts import logistic_regression as lcharts
from gdcore.charts.board import FIT_X
from gdcore.devices import resolve_device
from gdcore.lessons import logistic_regression
from gdcore.loops import tutorials
from pages import ui
from pages.parts import logistic_regression_slowmo as slowmo
from pages.ui import layout

NAME = "logistic_regression"
TUTORIAL = {"w.logistic_regression.impl": "manual", "w.logistic_regression.safe": False,
            "w.logistic_regression.mode": "stochastic",
            "w.logistic_regression.loader": "index", "w.logistic_regression.shuffle": False,
            "w.logistic_regression.lr": 0.001, "w.logistic_regression.epochs": 100,
            "w.logistic_regression.source": "tutorial"}
DEFAULTS = {**TUTORIAL, "w.logistic_regression.batch_size": 32, "w.logistic_regression.log": True}
T = ui.tr()
ui.defaults(DEFAULTS)
ui.share(NAME, logistic_regression.LINK_FIELDS, logistic_regression.HIDE_GROUPS,
         presets={logistic_regression.PRESET: TUTORIAL})

lesson = ui.lesson(NAME)
seed, device = ui.settings(123)

st.title(f":material/scatter_plot: {T('logistic_regression.title')}")
ui.link_notes(NAME)

_s = st.session_state  # the settings fold into one expander above the run, named by what they are now
settings_box = layout.settings(
    NAME, T("layout.data", name=T(f"logistic_regression.widgets.data_{_s['w.logistic_regression.source']}")),
    layout.lr_text(float(_s["w.logistic_regression.lr"])),
    T("layout.epochs", n=int(_s["w.logistic_regression.epochs"])),
    expanded=_s["w.logistic_regression.source"] == "upload")
with settings_box:
    if ui.shown(NAME, "presets"):
        ui.preset_button(T("logistic_regression.preset"), TUTORIAL, key="b.logistic_regression.preset",
                         help=T("logistic_regression.preset_help"))
    if ui.shown(NAME, "data"):
        st.radio(T("logistic_regression.widgets.data"), logistic_regression.SOURCES, key="w.logistic_regression.source",
                 persist_state="session", horizontal=True,
                 format_func=lambda v: T(f"logistic_regression.widgets.data_{v}"),
                 help=T("logistic_regression.widgets.data_help"))
    source = st.session_state["w.logistic_regression.source"]
    upload = None
    if source == "upload":
        upload = ui.upload_data(NAME, binary_labels=True, one_feature=False, two_features=True)
        if upload is None:
            st.info(T("logistic_regression.widgets.upload_info"))
# the widget's value on this rerun (drawn below, or hidden by a link)
mode = st.session_state["w.logistic_regression.mode"]


def _loss_widgets():
    st.radio(T("logistic_regression.widgets.impl"), logistic_regression.IMPLS, key="w.logistic_regression.impl",
             persist_state="session",
             format_func=lambda v: T(f"logistic_regression.widgets.impl_{v}"),
             help=T("logistic_regression.widgets.impl_help"))
    st.toggle(T("logistic_regression.widgets.safe"), key="w.logistic_regression.safe", persist_state="session",
              help=T("logistic_regression.widgets.safe_help"))


def _mode_widgets():
    picked = st.radio(T("logistic_regression.widgets.mode"), logistic_regression.MODES,
                      key="w.logistic_regression.mode", persist_state="session", horizontal=False,
                      format_func=lambda v: T(f"logistic_regression.widgets.mode_{v}", n=upload.n if upload else 1000),
                      help=T("logistic_regression.widgets.mode_help"))
    st.selectbox("batch_size", logistic_regression.MINIBATCH_SIZES, key="w.logistic_regression.batch_size",
                 persist_state="session",
                 disabled=picked != "minibatch", help=T("logistic_regression.widgets.batch_size_help"))


def _loader_widgets():
    st.selectbox(T("logistic_regression.widgets.loader"), logistic_regression.LOADERS,
                 key="w.logistic_regression.loader", persist_state="session",
                 disabled=mode == "batch", format_func=lambda v: T(f"logistic_regression.widgets.loader_{v}"),
                 help=T("logistic_regression.widgets.loader_help"))
    st.checkbox(T("logistic_regression.widgets.shuffle"), key="w.logistic_regression.shuffle", persist_state="session",
                disabled=mode == "batch", help=T("logistic_regression.widgets.shuffle_help"))


def _lr_epoch_widgets():
    if ui.shown(NAME, "lr"):
        st.number_input("lr", min_value=logistic_regression.LR_RANGE[0], max_value=logistic_regression.LR_RANGE[1],
                        step=0.001, format="%g",
                        key="w.logistic_regression.lr", persist_state="session",
                        help=T("logistic_regression.widgets.lr_help"))
    if ui.shown(NAME, "steps"):
        st.number_input("num_epochs", min_value=logistic_regression.EPOCH_RANGE[0],
                        max_value=logistic_regression.EPOCH_RANGE[1], step=10,
                        key="w.logistic_regression.epochs", persist_state="session",
                        help=T("logistic_regression.widgets.epochs_help"))


panels = []  # (width, widgets): only the groups a link leaves shown, so no empty columns
if ui.shown(NAME, "loss"):
    panels.append((1.2, _loss_widgets))
if ui.shown(NAME, "steps"):
    panels += [(1.4, _mode_widgets), (1, _loader_widgets)]
if ui.shown(NAME, "lr") or ui.shown(NAME, "steps"):
    panels.append((1, _lr_epoch_widgets))
if panels:
    for col, (_, widgets) in zip(settings_box.columns([w for w, _ in panels]), panels):
        with col:
            widgets()


def make_config():
    ss = st.session_state
    config = logistic_regression.variant_config(seed=seed, device=str(resolve_device(device)),
                                                impl=ss["w.logistic_regression.impl"],
                               safe=bool(ss["w.logistic_regression.safe"]), mode=mode,
                                                batch_size=int(ss["w.logistic_regression.batch_size"]),
                               loader=ss["w.logistic_regression.loader"],
                                                shuffle=bool(ss["w.logistic_regression.shuffle"]),
                               lr=float(ss["w.logistic_regression.lr"]), epochs=int(ss["w.logistic_regression.epochs"]))
    if upload is not None:  # the uploaded points; a run of its own size
        config = config.replace(data="custom", n=upload.n)
    return config.replace(dtype=ui.precision())


if source == "upload" and upload is None:
    run = None  # the last run stays in the lesson; it comes back with the tutorial's data or the upload
else:
    run = ui.build(lesson, make_config, upload)
if run is not None:
    ui.replay(lesson, NAME)
    code_line = logistic_regression.LOSS_CODE[run.config.loss].splitlines()[-1].split('#')[0].strip()
    caption = ("logistic_regression.run.caption_one" if run.batch_size == 1
               else "logistic_regression.run.caption_many")
    settings_box.caption(T(caption, code=code_line,
                 total=run.total_steps, epochs=run.total_steps // run.steps_per_epoch,
                 per_epoch=run.steps_per_epoch, batch=run.batch_size))


def _points(run):
    """The samples as the boundary chart draws them, built once per data set and language."""
    cached = lesson.extra.get("chart_points")
    if cached is None or cached[0] is not run.data or cached[1] != ui.lang():
        cached = (run.data, ui.lang(), lcharts.points_table(logistic_regression.points_frame(run), T.labels))
        lesson.extra["chart_points"] = cached
    return cached[2]


LOG_H = 160  # the boundary's plot: with its title, legend and axes on the first screen at 1280 x 800


def draw(run):
    slowmo.control(lesson, run, NAME)  # one step, phase by phase
    p = run.params()
    acc = run.accuracy()
    a, c, b = st.columns([1.5, 0.95, 0.85])  # the data and the boundary, the loss, the sigmoid: one row
    m = st.container(horizontal=True)  # under the charts; one row that wraps on a phone (not five)
    m.metric(T("logistic_regression.run.accuracy"), f"{acc:.1%}", help=T("logistic_regression.run.accuracy_help"))
    m.metric("w1", f"{p['w'][0]:.4f}")
    m.metric("w2", f"{p['w'][1]:.4f}")
    m.metric("b", f"{p['b'][0]:.4f}")
    m.metric(T("logistic_regression.run.loss_all"), ui.fmt(run.current_loss()),
             help=T("logistic_regression.run.loss_all_help", n=run.n))
    seg, box = logistic_regression.boundary(run)
    cur = logistic_regression.current_sample(run)
    tw = run.data.true_w
    true_label = (T("logistic_regression.run.true_rule") if tw is None or len(tw) < 2 else
                  T("logistic_regression.run.true_rule_formula", w1=f"{tw[0]:g}", sign="−" if tw[1] < 0 else "+",
                    w2=f"{abs(tw[1]):g}"))
    fast = lesson.mode == "running"  # a long run: spend each tick on training, draw the essentials
    grid = None if fast else lcharts.Shading(p["w"][0], p["w"][1], p["b"][0], box, k=30)  # cells drawn by the browser
    with a:
        slowmo.chart(lesson, run, box, lcharts.boundary_chart_spec(  # with the next step's pull on the boundary
            _points(run), box, seg, logistic_regression.true_boundary(run, box), grid, cur, true_label=true_label,
            title=T("logistic_regression.run.boundary_title"), height=LOG_H, labels=T.labels), "boundary")
    with b:
        if fast:
            st.caption(T("logistic_regression.run.fast"))
        else:
            ui.chart(lcharts.sigmoid_chart_spec(cur, labels=T.labels), "sigmoid")
        if cur is None:
            st.caption(T("logistic_regression.run.no_sample"))
        else:
            sample = ("logistic_regression.run.sample_one" if run.batch_size == 1
                      else "logistic_regression.run.sample_batch")
            st.markdown(T(sample,
                          i=cur["i"], x1=f"{cur['x1']:.3f}", x2=f"{cur['x2']:.3f}", y=f"{cur['y']:.0f}",
                          z=f"{cur['z']:.3f}", y_hat=f"{cur['y_hat']:.4f}"))
            if not fast:
                st.caption(T("logistic_regression.run.shading"))
        if seg is None:
            st.warning(T("logistic_regression.run.outside"))
    with c:
        log = st.toggle(T("logistic_regression.widgets.log"), key="w.logistic_regression.log", persist_state="session",
                        help=T("logistic_regression.widgets.log_help"))
        if run.step_count == 0:
            st.info(T("ui.loss_placeholder"), icon=":material/show_chart:")
        else:
            loss = charts.loss_curve_spec(lcharts.parts_table(logistic_regression.loss_parts(run), T), log=log,
                                          title=T("logistic_regression.run.loss_title"), height=200, labels=T.labels)
            ui.chart({**loss, "autosize": dict(FIT_X)}, "loss")
            st.caption(T("logistic_regression.run.loss_note"))
    if run.epoch:
        with st.expander(T("logistic_regression.run.printed", n=run.epoch)):
            printed = logistic_regression.printed_losses(run)
            st.code("\n".join(printouts.line_004(e, v) for e, v in
                              zip(printed["epoch"].tail(100), printed["loss"].tail(100))),
                    language="text", wrap_lines=True)
            st.caption(T("logistic_regression.run.printed_note"))


if run is not None:
    ui.live(lesson, NAME, draw, fields=logistic_regression.LINK_FIELDS)
else:
    ui.share_button(NAME, logistic_regression.LINK_FIELDS)

# -- below the run: the model, manual vs module and the safe loss, the code and the downloads ---------
about, safe, code = layout.below("layout.about", "logistic_regression.safe.subheader", "layout.code")
with about:
    st.caption(T("logistic_regression.caption", source=T("logistic_regression.source")))
    c1, c2 = st.columns([1.1, 1])
    with c1:
        st.code(tutorials.shown(tutorials.logreg_manual), language="python", wrap_lines=True)
    with c2:
        st.markdown(T("logistic_regression.forward"))
        st.latex(r"z = w_1 x_1 + w_2 x_2 + b, \qquad \hat y = \sigma(z) = \frac{1}{1 + e^{-z}}")
        st.markdown(T("logistic_regression.loss"))
        st.latex(r"\text{loss} = -\big(y \log \hat y + (1-y)\log(1-\hat y)\big)")
        st.markdown(T("logistic_regression.boundary"))
with safe:
    v1, v2 = st.columns(2)
    v1.code("# manual (tutorial)\ny_hat = forward(data_x[step])\nloss = loss_func(y_hat, data_y[step])\n"
            "loss.backward()\nwith torch.no_grad():\n    w.data -= lr * w.grad\n    b.data -= lr * b.grad\n"
            "    w.grad.data.zero_(); b.grad.data.zero_()", language="python", wrap_lines=True)
    v2.code("# nn.Module\nmodel = nn.Linear(2, 1)               # w: weight, b: bias\n"
            "criterion = nn.BCEWithLogitsLoss()      # or nn.BCELoss() after a sigmoid\n"
            "optimizer = optim.SGD(model.parameters(), lr=0.001)\n"
            "z = model(x)                            # logits, no sigmoid\nloss = criterion(z, y)\n"
            "optimizer.zero_grad(); loss.backward(); optimizer.step()", language="python", wrap_lines=True)
    st.markdown(T("logistic_regression.safe.why"))
    st.latex(r"\text{loss}(z, y) = \max(z, 0) - z\,y + \log\!\left(1 + e^{-|z|}\right)")
    st.caption(T("logistic_regression.safe.note"))
with code:
    if run is not None:
        ui.code_and_downloads(run, NAME)
