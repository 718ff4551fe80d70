"""Mini-batches (seeds 000 and 001): TensorDataset + DataLoader made visible; batch vs stochastic vs
mini-batch gradient descent; seed 000's full-tensor pitfall; d2l's data_iter / squared_loss / sgd."""
import streamlit as st

from gdcore import limits
from gdcore.charts import loss_frame
from gdcore.charts import mini_batches as mbc
from gdcore.devices import resolve_device
from gdcore.engine import step_position
from gdcore.errors import GdError
from gdcore.lessons import mini_batches
from gdcore.loops import tutorials
from gdcore.presets import get_preset, preset_config
from pages import ui
from pages.parts.mini_batches_compare import CE, compare_section, pitfall_section
from pages.ui import cockpit

T = ui.tr()

NAME = "minibatch"
SESSION = "session"  # keep widget values across page switches (and across fragment reruns)
P = f"w.{NAME}."
B = f"b.{NAME}."
BASE, BS, LR, EP, SH, PIT = (P + k for k in ("base", "batch_size", "lr", "epochs", "shuffle", "pitfall"))


def preset_values(base: str) -> dict:
    """Widget values of a tutorial's preset (its batch_size, lr, num_epochs, shuffle)."""
    c = get_preset(base)
    return {BASE: base, BS: c.batch_size, LR: c.lr, EP: c.epochs, SH: c.shuffle, PIT: False}


def _base_changed() -> None:
    ui.set_values(preset_values(st.session_state[BASE]))


ui.defaults({**preset_values("linreg-minibatch"), P + "cmp_view": "step", P + "cmp_log": True,
              P + "cmp_logx": True})
from_link = ui.link_pending(NAME)  # a link is applied on this rerun (the page's first visit)
_params = st.query_params.to_dict()
if from_link and "preset" not in _params and _params.get("data") in mini_batches.BASES:
    # like choosing it in the box: a link's data choice brings its tutorial's settings, then the link's own values
    ui.set_values(preset_values(_params["data"]))
FIELDS = mini_batches.LINK_FIELDS + [cockpit.moves_field(NAME)]  # the settings, and (w, b) set by hand
link = ui.share(NAME, FIELDS, mini_batches.HIDE_GROUPS,
                presets={b: preset_values(b) for b in mini_batches.BASES})

st.title(":material/view_module: " + T("mini_batches.title"))
ui.link_notes(NAME)
st.markdown(T("mini_batches.intro"))
if ui.shown(NAME, "presets"):
    c1, c2, c3 = st.columns([1.35, 1.1, 1.55])
    with c1:
        ui.preset_button(T("mini_batches.preset_000"), preset_values("linreg-minibatch"), B + "preset_000",
                          help=T("mini_batches.preset_000_help"))
    with c2:
        ui.preset_button(T("mini_batches.preset_d2l"), preset_values("linreg-d2l"), B + "preset_d2l",
                          help=T("mini_batches.preset_d2l_help"))
    c3.caption(T("mini_batches.presets_caption"))

# -- settings ---------------------------------------------------------------------------------
base = st.session_state[BASE] if st.session_state.get(BASE) in mini_batches.BASES else "linreg-minibatch"
n = mini_batches.data_size(base)
bs_fixed, bs_note = mini_batches.clamp_batch_size(st.session_state.get(BS), n)
if bs_note:
    st.session_state[BS] = bs_fixed  # before the widget is drawn: allowed, and the value fits its max


def _base_widget():
    st.selectbox(T("mini_batches.base.label"), list(mini_batches.BASES),
                 format_func=lambda b: T(f"mini_batches.base.{b}"),
                 key=BASE, persist_state=SESSION, on_change=_base_changed, help=T("mini_batches.base.help"))


def _bs_widget():
    st.number_input("batch_size", min_value=1, max_value=n, step=1, key=BS, persist_state=SESSION,
                    help=T("mini_batches.widget.batch_size_help", n=n))


def _lr_widget():
    st.number_input("lr", **limits.bounds(limits.MINIBATCH_LR), step=0.01, format="%g", key=LR, persist_state=SESSION,
                    help=T("mini_batches.widget.lr_help"))


def _epochs_widget():
    st.number_input("num_epochs", **limits.bounds(limits.MINIBATCH_EPOCHS), step=1, key=EP, persist_state=SESSION,
                    help=T("mini_batches.widget.epochs_help"))


def _shuffle_widget():
    st.toggle("shuffle", key=SH, persist_state=SESSION, help=T("mini_batches.widget.shuffle_help"))


def _pitfall_widget():
    st.toggle(T("mini_batches.widget.pitfall"), key=PIT, persist_state=SESSION,
              help=T("mini_batches.widget.pitfall_help"))


def _row(items) -> None:
    """The shown widgets of a row side by side (a hidden group leaves no empty column)."""
    items = [(width, draw) for width, draw in items if draw is not None]
    if items:
        for col, (_, draw) in zip(st.columns([width for width, _ in items]), items):
            with col:
                draw()


# the data choice loads a tutorial's settings, so a locked link hides it with the preset buttons
_row([(2.2, _base_widget if ui.shown(NAME, "data") and not link["lock"] else None),
      (1, _bs_widget if ui.shown(NAME, "batch_size") else None),
      (1, _lr_widget if ui.shown(NAME, "lr") else None),
      (1, _epochs_widget if ui.shown(NAME, "steps") else None)])
_row([(1, _shuffle_widget if ui.shown(NAME, "batch_size") else None),
      (3, _pitfall_widget if ui.shown(NAME, "pitfall") else None)])
if bs_note:
    st.warning(T(bs_note))

seed, device = ui.settings(get_preset(base).seed)
try:  # 'auto' and the device it picks are the same run: keep one name so the run is not rebuilt
    device = str(resolve_device(device))
except GdError as exc:
    st.error(T(exc.message))
    st.stop()
lesson = ui.lesson(NAME)


def make_config():
    return preset_config(base, batch_size=int(st.session_state[BS]), lr=float(st.session_state[LR]),
                         epochs=int(st.session_state[EP]), shuffle=bool(st.session_state[SH]),
                         full_tensor_pitfall=bool(st.session_state[PIT]), seed=seed, device=device,
                         dtype=ui.precision())


run = ui.build(lesson, make_config)
if run is None:
    st.stop()
cockpit.attach(lesson, run, NAME)
ui.replay(lesson, NAME)
# section 3's epochs, fitted to this data before the share link is written
cap = mini_batches.max_compare_epochs(run.n)
ce_note = None
if not isinstance(st.session_state.get(CE), int) or not 1 <= st.session_state[CE] <= cap:
    if from_link and isinstance(st.session_state.get(CE), int) and st.session_state[CE] > cap:
        ce_note = T("mini_batches.s3.epochs_capped", asked=st.session_state[CE], n=run.n, cap=cap)
        st.session_state[CE] = cap
    else:
        st.session_state[CE] = min(cap, 10 if run.n <= 200 else 3)
cfg = run.config
is_d2l = cfg.loader == "d2l"
one_feature = run.data.n_features == 1

# -- 1. the DataLoader ---------------------------------------------------------------------------
st.header(T("mini_batches.s1.header"))
loader = mini_batches.describe_loader(run.n, run.batch_size)
left, right = st.columns([1.3, 1])
with left:
    if is_d2l:
        st.code(f"for X, y in data_iter({cfg.batch_size}, features, labels):\n"
                f"    ...  # X: ({cfg.batch_size}, 2) features, y: ({cfg.batch_size}, 1) labels", language="python",
                wrap_lines=True)
    else:
        st.code(f"tensorX = torch.from_numpy(x).float()  # ({run.n}, 1)\n"
                f"tensorY = torch.from_numpy(y).float()\n"
                f"dataset = TensorDataset(tensorX, tensorY)\n"
                f"dataloader = DataLoader(dataset, batch_size={cfg.batch_size}, shuffle={cfg.shuffle})\n"
                f'print("dataloader len =%d" % (len(dataloader)))\n'
                f"for index, (data, label) in enumerate(dataloader):\n"
                f'    print("index=%d num = %d" % (index, len(data)))', language="python", wrap_lines=True)
    st.markdown(T("mini_batches.s1.len_rest" if loader.sizes[-1] != loader.batch_size else "mini_batches.s1.len_full",
                  n=run.n, bs=run.batch_size, length=loader.length, last=loader.sizes[-1]))
with right:
    st.code("\n".join(map(T, loader.lines())), language=None, wrap_lines=True)
    st.caption(T("mini_batches.s1.printout_000") if not is_d2l else T("mini_batches.s1.printout_d2l"))

# -- 2. stepping ----------------------------------------------------------------------------------
st.header(T("mini_batches.s2.header"))
st.latex(r"w \leftarrow w - lr\cdot \frac{1}{|B|}\sum_{i\in B}\frac{\partial\,\ell_i}{\partial w},\qquad "
         r"b \leftarrow b - lr\cdot \frac{1}{|B|}\sum_{i\in B}\frac{\partial\,\ell_i}{\partial b}")
st.caption(T("mini_batches.s2.caption"))
st.caption(T("mini_batches.s2.counting", stop=mini_batches.run_epochs(run) + 1, epochs=mini_batches.run_epochs(run),
             last=run.steps_per_epoch - 1))


def _replay(r):
    rep = lesson.extra.get("replay")
    if rep is None or rep.config != r.config or rep.n != r.n:
        rep = mini_batches.ShuffleReplay(r.config, r.n)
        lesson.extra["replay"] = rep
    return rep


def draw(r):
    c = r.config
    view = mini_batches.epoch_view(r)
    roles = mini_batches.point_roles(r.n, r.epoch_batches, r.last_batch)
    p = r.params()
    a, b = st.columns([1.7, 1])
    with a:
        if one_feature:
            lines = [{"label": T("charts.minibatch.fit_line"), "w": p["w"][0], "b": p["b"][0], "series": "fit"}]
            if r.data.true_w is not None:
                lines.append({"label": T("charts.minibatch.true_line"), "w": r.data.true_w[0], "b": r.data.true_b,
                              "dash": True, "series": "true"})
            x0, y = mini_batches.feature_xy(r.data, 0)
            ui.chart(mbc.batch_scatter_spec(x0, y, roles, lines, labels=T.labels,
                                            title=T("mini_batches.s2.scatter_title", epoch=view.epoch)), "data")
        else:
            st.session_state.setdefault(P + "feature", 1)
            k = st.radio(T("mini_batches.s2.feature"), list(range(r.data.n_features)), horizontal=True,
                         key=P + "feature",
                         persist_state=SESSION, format_func=lambda j: T("mini_batches.s2.feature_option", n=j + 1, j=j),
                         help=T("mini_batches.s2.feature_help"))
            k = k if k is not None and k < r.data.n_features else 0
            xk, y = mini_batches.feature_xy(r.data, k)
            ui.chart(mbc.batch_scatter_spec(xk, y, roles, None, x_title=f"features[:, {k}]",
                                       y_title=T("mini_batches.s2.labels_axis"),
                                       title=T("mini_batches.s2.scatter_title", epoch=view.epoch), labels=T.labels),
                     "data")
            st.caption(T("mini_batches.s2.band"))
    with b:
        if r.step_count == 0:
            st.markdown(T("mini_batches.s2.no_batch_yet", total=view.total))
        else:
            epoch, batch = step_position(r.step_count, r.steps_per_epoch)  # as the status line and the printout
            size = r.n if r.last_batch is None else len(r.last_batch)
            st.markdown(T("mini_batches.s2.batch_head", epoch=epoch, batch=batch, step=r.step_count, num=size)
                        + (T("mini_batches.s2.epoch_complete") if view.complete else ""))
            st.code(T(mini_batches.format_batch(r.last_batch)), language=None, wrap_lines=True)
        st.markdown(T("mini_batches.s2.params", w=mini_batches.fmt_w(p["w"]), b=mini_batches.fmt_w(p["b"])))
        if c.full_tensor_pitfall:
            note = mini_batches.pitfall_note(c, r.n)
            st.warning(T("mini_batches.s2.pitfall_on") + (T("mini_batches.s2.pitfall_note", note=note) if note else ""))
        if r.epoch_batches:
            st.dataframe(T.frame(mini_batches.batch_table(r.epoch_batches)), hide_index=True,
                         height=min(320, 38 + 35 * len(r.epoch_batches)),
                         column_config={
                             "index": st.column_config.NumberColumn("index", help=T("mini_batches.s2.index_help")),
                             "num": st.column_config.NumberColumn("num", help=T("mini_batches.s2.num_help"))})

    cockpit.panel(lesson, r, NAME)  # w and b by hand, and the landscape they move on (one feature)

    # reshuffled every epoch: this epoch's batches against the next one's
    if c.mode != "batch":
        rep = _replay(r)
        first, second, beyond = mini_batches.reshuffle_epochs(view, mini_batches.run_epochs(r))
        frame = mini_batches.reshuffle_frame(rep, first)
        share = mini_batches.same_batches_share(rep.batches(first), rep.batches(second))
        ui.chart(mbc.reshuffle_chart_spec(frame, title=T("mini_batches.s2.reshuffle_title", epoch=first, next=second),
                                     labels=T.labels), "reshuffle")
        st.caption(T("mini_batches.s2.reshuffle_on" if c.shuffle else "mini_batches.s2.reshuffle_off",
                     epoch=first, next=second, share=f"{share:.0%}")
                   + (T("mini_batches.s2.reshuffle_beyond", next=second) if beyond else ""))

    # the loss
    st.session_state.setdefault(P + "log", True)
    log = st.toggle(T("mini_batches.s2.log"), key=P + "log", persist_state=SESSION, help=T("mini_batches.s2.log_help"))
    L = r.losses()
    if not len(L):  # step 0: nothing to draw yet, say what will come
        st.info(T("ui.loss_placeholder"), icon=":material/show_chart:")
    else:
        step_frame = loss_frame(L, labels=T.labels)
        ends = mini_batches.epoch_end_frame(r.epoch_losses(), r.steps_per_epoch)
        ui.chart(mbc.loss_with_epochs_spec(step_frame, ends, log=log, title=T("mini_batches.s2.loss_title"),
                                      labels=T.labels),
                 "loss")
        st.caption(T("mini_batches.s2.loss_caption") if not c.full_tensor_pitfall
                   else T("mini_batches.s2.loss_caption_pitfall"))
    if is_d2l:
        st.markdown(T("mini_batches.s2.d2l_prints"))
        errs = mini_batches.estimation_errors(r.data.true_w, r.data.true_b, p)
        lines_out = mini_batches.d2l_epoch_lines(r.epoch_losses()) or [T("mini_batches.s2.no_epoch_yet")]
        st.code("\n".join(lines_out[-12:] + [T(m) for m in mini_batches.error_lines(errs)]), language=None,
                wrap_lines=True)
    elif len(L):
        st.markdown(T("mini_batches.s2.tutorial_prints"))
        st.code("\n".join(mini_batches.tutorial_lines(r.records(last=8))), language=None, wrap_lines=True)


ui.live(lesson, NAME, draw, fields=FIELDS)

# -- 3. batch vs stochastic vs mini-batch; 4. the pitfall ------------------------------------------
compare_section(lesson, run, cap, ce_note)
pitfall_section(lesson, run, loader.length)

# -- 5. d2l's version ------------------------------------------------------------------------------
st.header(T("mini_batches.s5.header"))
st.markdown(T("mini_batches.s5.intro"))
d1, d2 = st.tabs([T("mini_batches.s5.tab_functions"), T("mini_batches.s5.tab_loop")])
with d1:
    st.code(tutorials.shown(tutorials.linreg_d2l, "functions"), language="python", wrap_lines=True)
with d2:
    st.code(tutorials.shown(tutorials.linreg_d2l, "loop"), language="python", wrap_lines=True)
if is_d2l:
    st.caption(T("mini_batches.s5.loaded"))
else:
    st.caption(T("mini_batches.s5.press"))

# -- code and downloads ------------------------------------------------------------------------------
st.header(T("mini_batches.code.header"))
ui.code_and_downloads(run, NAME)
