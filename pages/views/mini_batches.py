"""Mini-batches (seeds 000 and 001): TensorDataset + DataLoader made visible; batch vs stochastic vs
mini-batch gradient descent; seed 000's full-tensor pitfall; d2l's data_iter / squared_loss / sgd."""
import streamlit as st

from gdcore import limits
from gdcore.charts import loss_table
from gdcore.charts import mini_batches as mbc
from gdcore.charts.vl_columns import lean_table
from gdcore.devices import resolve_device
from gdcore.engine import step_position
from gdcore.errors import GdError
from gdcore.lessons import mini_batches
from gdcore.loops import tutorials
from gdcore.presets import get_preset, preset_config
from pages import ui
from pages.parts import mini_batches_about
from pages.parts.mini_batches_compare import CE, compare_section, pitfall_section
from pages.ui import cockpit, layout

T = ui.tr()

NAME = "mini_batches"
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
_s = st.session_state  # the settings fold into one expander above the run, named by what they are now
_base = _s[BASE] if _s.get(BASE) in mini_batches.BASES else "linreg-minibatch"
settings_box = layout.settings(
    NAME, T("layout.data", name=T(f"ui.preset_name.{_base}")),
    T("layout.batch_size", n=_s[BS]), layout.lr_text(float(_s[LR])), T("layout.epochs", n=int(_s[EP])))
with settings_box:  # the presets and the loop's settings; the run is built below
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
        st.number_input("lr", **limits.bounds(limits.MINIBATCH_LR), step=0.01, format="%g", key=LR,
                        persist_state=SESSION, help=T("mini_batches.widget.lr_help"))


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


loader = mini_batches.describe_loader(run.n, run.batch_size)


def _kept(name: str, key, build):
    """build(), once for each key: what changes only with the epoch is not rebuilt on every Step."""
    hit = lesson.extra.get(name)
    if hit is None or hit[0] != key:
        hit = lesson.extra[name] = (key, build())
    return hit[1]


def _replay(r):
    rep = lesson.extra.get("replay")
    if rep is None or rep.config != r.config or rep.n != r.n:
        rep = mini_batches.ShuffleReplay(r.config, r.n)
        lesson.extra["replay"] = rep
    return rep


def _batch(r, view, p, c):
    """The batch the last step used, its numbers, and this epoch's batches as a table."""
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
        st.dataframe(lean_table(T.frame(mini_batches.batch_table(r.epoch_batches))), hide_index=True,
                     height=min(320, 38 + 35 * len(r.epoch_batches)),
                     column_config={  # the help only: the names and the number type are the table's own
                         "index": st.column_config.Column(help=T("mini_batches.s2.index_help")),
                         "num": st.column_config.Column(help=T("mini_batches.s2.num_help"))})


MB_ROW = [1.1, 1.1, 1]  # the data and its batch, the loss, the landscape
MB_DATA_H, MB_LOSS_H = 420, 380  # with their legends (one entry a row) and titles, on the first screen


def draw(r):
    c = r.config
    view = mini_batches.epoch_view(r)
    roles = mini_batches.point_roles(r.n, r.epoch_batches, r.last_batch)
    p = r.params()
    a, b, d = st.columns(MB_ROW)  # the data and its batch, the loss, the landscape: one row
    with a:
        if one_feature:
            lines = [{"label": T("charts.minibatch.fit_line"), "w": p["w"][0], "b": p["b"][0], "series": "fit"}]
            if r.data.true_w is not None:
                lines.append({"label": T("charts.minibatch.true_line"), "w": r.data.true_w[0], "b": r.data.true_b,
                              "dash": True, "series": "true"})
            x0, y = mini_batches.feature_xy(r.data, 0)
            ui.chart(layout.narrow(mbc.batch_scatter_spec(
                x0, y, roles, lines, title=layout.two_lines(T("mini_batches.s2.scatter_title", epoch=view.epoch)),
                height=MB_DATA_H, labels=T.labels), 1), "data")
        else:
            st.session_state.setdefault(P + "feature", 1)
            k = st.radio(T("mini_batches.s2.feature"), list(range(r.data.n_features)), horizontal=True,
                         key=P + "feature",
                         persist_state=SESSION, format_func=lambda j: T("mini_batches.s2.feature_option", n=j + 1, j=j),
                         help=T("mini_batches.s2.feature_help"))
            k = k if k is not None and k < r.data.n_features else 0
            xk, y = mini_batches.feature_xy(r.data, k)
            ui.chart(layout.narrow(mbc.batch_scatter_spec(
                xk, y, roles, None, x_title=f"features[:, {k}]", y_title=T("mini_batches.s2.labels_axis"),
                title=layout.two_lines(T("mini_batches.s2.scatter_title", epoch=view.epoch)),
                height=MB_DATA_H, labels=T.labels), 1), "data")
            st.caption(T("mini_batches.s2.band"))
    with b:  # the loss
        st.session_state.setdefault(P + "log", True)
        log = st.toggle(T("mini_batches.s2.log"), key=P + "log", persist_state=SESSION,
                        help=T("mini_batches.s2.log_help"))
        L = r.losses()
        if not len(L):  # step 0: nothing to draw yet, say what will come
            st.info(T("ui.loss_placeholder"), icon=":material/show_chart:")
        else:
            step_frame = loss_table(L, labels=T.labels)
            ends = mbc.epoch_end_table(r.epoch_losses(), r.steps_per_epoch)
            ui.chart(layout.narrow(mbc.loss_with_epochs_spec(step_frame, ends, log=log,
                                                        title=layout.two_lines(T("mini_batches.s2.loss_title")),
                                                        height=MB_LOSS_H, labels=T.labels), 1), "loss")
            st.caption(T("mini_batches.s2.loss_caption") if not c.full_tensor_pitfall
                       else T("mini_batches.s2.loss_caption_pitfall"))
    left, right = st.columns(2)  # under the row: the batch the step used, and w and b by hand
    with d:
        if one_feature:  # w and b by hand under the row, the landscape they move on in it
            cockpit.panel(lesson, r, NAME, hands_box=right, height=MB_DATA_H - 40)
        else:
            _batch(r, view, p, c)
    if one_feature:
        with left:
            _batch(r, view, p, c)

    # reshuffled every epoch: this epoch's batches against the next one's
    if c.mode != "batch":
        rep = _replay(r)
        first, second, beyond = mini_batches.reshuffle_epochs(view, mini_batches.run_epochs(r))
        frame = _kept("reshuffle", (rep, first), lambda: mini_batches.reshuffle_frame(rep, first))
        share = mini_batches.same_batches_share(rep.batches(first), rep.batches(second))
        ui.chart(mbc.reshuffle_chart_spec(frame, labels=T.labels,
                                          title=T("mini_batches.s2.reshuffle_title", epoch=first, next=second)),
                 "reshuffle")
        st.caption(T("mini_batches.s2.reshuffle_on" if c.shuffle else "mini_batches.s2.reshuffle_off",
                     epoch=first, next=second, share=f"{share:.0%}")
                   + (T("mini_batches.s2.reshuffle_beyond", next=second) if beyond else ""))
    if not len(L):
        return
    layout.folded("layout.printout", NAME, "printout", lambda: _printout(r, is_d2l), icon=":material/terminal:")


def _printout(r, is_d2l: bool) -> None:
    """What the loop would have printed by now: d2l's line an epoch, or the tutorial's line a step."""
    if is_d2l:
        st.markdown(T("mini_batches.s2.d2l_prints"))
        errs = mini_batches.estimation_errors(r.data.true_w, r.data.true_b, r.params())
        lines_out = mini_batches.d2l_epoch_lines(r.epoch_losses()) or [T("mini_batches.s2.no_epoch_yet")]
        st.code("\n".join(lines_out[-12:] + [T(m) for m in mini_batches.error_lines(errs)]), language=None,
                wrap_lines=True)
    else:
        st.markdown(T("mini_batches.s2.tutorial_prints"))
        st.code("\n".join(mini_batches.tutorial_lines(r.records(last=8))), language=None, wrap_lines=True)


ui.live(lesson, NAME, draw, fields=FIELDS)

# -- below the run: the lesson's words, d2l's version, the code and the downloads; then 3. and 4. --------
about, code = layout.below("layout.about", "layout.code")
with about:
    mini_batches_about.about(run, loader, is_d2l)
with code:
    # -- 5. d2l's version
    st.header(T("mini_batches.s5.header"))
    st.markdown(T("mini_batches.s5.intro"))
    d1, d2 = st.tabs([T("mini_batches.s5.tab_functions"), T("mini_batches.s5.tab_loop")])
    with d1:
        st.code(tutorials.shown(tutorials.linreg_d2l, "functions"), language="python", wrap_lines=True)
    with d2:
        st.code(tutorials.shown(tutorials.linreg_d2l, "loop"), language="python", wrap_lines=True)
    st.caption(T("mini_batches.s5.loaded") if is_d2l else T("mini_batches.s5.press"))
    st.header(T("mini_batches.code.header"))
    ui.code_and_downloads(run, NAME)

# -- 3. batch vs stochastic vs mini-batch; 4. the pitfall ------------------------------------------
compare_section(lesson, run, cap, ce_note)
pitfall_section(lesson, run, loader.length)
