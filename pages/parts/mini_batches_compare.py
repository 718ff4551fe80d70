"""The mini-batch lesson's sections 3 and 4, drawn by pages/views/mini_batches.py: batch vs
stochastic vs mini-batch trained side by side on the lesson's data, and tutorial 000's pitfall
(the full tensors inside the batch loop) against the loop as intended. Each trains on a click and
keeps its runs in the lesson's `extra` (bounded: one comparison, one pitfall)."""
import streamlit as st

from gdcore.charts import mini_batches as mbc
from gdcore.errors import GdError
from gdcore.lessons import mini_batches
from pages import ui

NAME = "mini_batches"
SESSION = "session"  # keep widget values across page switches
P, B = f"w.{NAME}.", f"b.{NAME}."
CE = P + "cmp_epochs"  # section 3's epochs (the page fits it to the data before writing the share link)
PIT_COLUMNS = ("run", "samples per step", "steps", "w", "b", "loss (all data)", "steps where loss rose",
               "ms per epoch")
CMP_COLUMNS = ("run", "samples per step", "steps per epoch", "steps", "w", "b", "loss (all data)",
               "steps where loss rose", "ms per epoch")


def compare_section(lesson, run, cap: int, ce_note: str | None) -> None:
    """Section 3: the three modes trained for the chosen epochs, their losses per step or per epoch."""
    T = ui.tr()
    cfg = run.config
    st.header(T("mini_batches.s3.header"))
    st.markdown(T("mini_batches.s3.intro", n=run.n, bs=run.batch_size))
    q = st.columns([1, 1.7, 2.3])
    q[0].number_input(T("mini_batches.s3.epochs"), min_value=1, max_value=cap, step=1, key=CE, persist_state=SESSION,
                      help=T("mini_batches.s3.epochs_help", cap=cap, n=run.n))
    if ce_note:
        st.warning(ce_note)
    if q[1].button(T("mini_batches.s3.run", epochs=st.session_state[CE]), key=B + "compare", type="primary",
                   width="stretch"):
        try:
            configs = mini_batches.comparison_configs(cfg, st.session_state[CE])
        except GdError as exc:
            st.error(T(exc.message))
        else:
            bar = st.progress(0.0, text=T("mini_batches.s3.progress"))
            runs = mini_batches.train_all(configs, run.data, callback=lambda d, t: bar.progress(
                min(1.0, d / max(1, t)), text=T("mini_batches.s3.progress_step", done=d, total=t)))
            bar.empty()
            lesson.extra["compare"] = {"source": cfg, "epochs": st.session_state[CE], "runs": runs}
    cmp = lesson.extra.get("compare")
    if cmp is None:
        q[2].caption(T("mini_batches.s3.press"))
    else:
        runs = cmp["runs"]
        src = cmp["source"]
        if src != cfg:
            q[2].info(T("mini_batches.s3.stale", lr=f"{src.lr:g}", bs=src.batch_size,
                        data=T(f"ui.preset_name.{src.preset}")))
        labels = {m: T(label) for m, label in mini_batches.MODE_LABELS.items()}
        v = st.columns([1.4, 1, 1])
        view_labels = {"step": T("mini_batches.s3.view_step"), "epoch": T("mini_batches.s3.view_epoch")}
        per = v[0].radio(T("mini_batches.s3.view"), ["step", "epoch"], horizontal=True, key=P + "cmp_view",
                         persist_state=SESSION, format_func=view_labels.get, help=T("mini_batches.s3.view_help"))
        log_y = v[1].toggle(T("mini_batches.s2.log"), key=P + "cmp_log", persist_state=SESSION,
                            help=T("mini_batches.s2.log_help"))
        log_x = v[2].toggle(T("mini_batches.s3.log_steps"), key=P + "cmp_logx", persist_state=SESSION,
                            disabled=per != "step", help=T("mini_batches.s3.log_steps_help"))
        order = [labels[m] for m in mini_batches.MODES]
        if per == "step":
            frame = mini_batches.step_loss_frame({labels[m]: r.losses() for m, r in runs.items()})
            ui.chart(mbc.compare_chart(frame, "step", log_y=log_y, log_x=log_x, order=order,
                                        title=T("mini_batches.s3.step_title"), labels=T.labels), "compare")
        else:
            frame = mini_batches.epoch_loss_frame({labels[m]: r.epoch_losses() for m, r in runs.items()})
            ui.chart(mbc.compare_chart(frame, "epoch", log_y=log_y, order=order, points=True,
                                        title=T("mini_batches.s3.epoch_title"), labels=T.labels), "compare")
        st.dataframe(T.frame(mini_batches.summary_table(runs, labels, CMP_COLUMNS, explain=lambda r: r.explain(T))),
                     hide_index=True, width="stretch")
        start = mini_batches.start_params(runs["batch"])
        st.caption(T("mini_batches.s3.start", w=mini_batches.fmt_w(start["w"]), b=f"{start['b'][0]:.4f}"))
        for m, r in runs.items():
            if r.status != "ok":
                st.error(T("mini_batches.s3.run_failed", label=labels[m], message=r.explain(T)))


def pitfall_section(lesson, run, loader_length) -> None:
    """Section 4: tutorial 000's slip (tensorX, tensorY in the batch loop) against the loop as intended."""
    T = ui.tr()
    cfg = run.config
    is_d2l = cfg.loader == "d2l"
    st.header(T("mini_batches.s4.header"))
    st.markdown(T("mini_batches.s4.intro", length=loader_length) + (T("mini_batches.s4.intro_d2l") if is_d2l else ""))
    lr_txt = f"{cfg.lr:g}"
    k1, k2 = st.columns(2)
    if is_d2l:
        with k1:
            st.markdown(T("mini_batches.s4.slip_d2l", n=run.n))
            st.code("l = squared_loss(linreg(features, w, b), labels)", language="python", wrap_lines=True)
        with k2:
            st.markdown(T("mini_batches.s4.as_d2l", bs=run.batch_size))
            st.code("l = squared_loss(linreg(X, w, b), y)", language="python", wrap_lines=True)
    else:
        with k1:
            st.markdown(T("mini_batches.s4.slip_000", n=run.n))
            st.code("h = tensorX * w + b\nloss = torch.mean((h - tensorY) ** 2)", language="python", wrap_lines=True)
        with k2:
            st.markdown(T("mini_batches.s4.as_000", bs=run.batch_size))
            st.code("h = data * w + b\nloss = torch.mean((h - label) ** 2)", language="python", wrap_lines=True)
    with st.expander(T("mini_batches.s4.whole_loop")):
        st.code(f"for batch_index, (data, label) in enumerate(dataloader):\n"
                f"    h = data * w + b                     # the pitfall: tensorX\n"
                f"    loss = torch.mean((h - label) ** 2)  # the pitfall: tensorY\n"
                f"    loss.backward()\n"
                f"    w.data -= {lr_txt} * w.grad.data\n"
                f"    b.data -= {lr_txt} * b.grad.data\n"
                f"    w.grad.zero_()\n"
                f"    b.grad.zero_()", language="python", wrap_lines=True)
    st.caption(T("mini_batches.s4.caption"))
    pit_cap = max(1, mini_batches.COMPARE_STEP_BUDGET // 2 // max(1, run.steps_per_epoch))
    pit_epochs = min(cfg.epochs or 1, pit_cap)
    pq = st.columns([1.3, 2.7])
    if pq[0].button(T("mini_batches.s4.run", epochs=pit_epochs), key=B + "pitfall_run", type="primary", width="stretch",
                    help=T("mini_batches.s4.run_help")):
        try:
            configs = mini_batches.pitfall_configs(cfg, pit_epochs)
        except GdError as exc:
            st.error(T(exc.message))
        else:
            with st.spinner(T("mini_batches.s4.spinner")):
                lesson.extra["pitfall"] = {"source": cfg, "runs": mini_batches.train_all(configs, run.data)}
    if pit_epochs < (cfg.epochs or 1):
        pq[1].caption(T("mini_batches.s4.capped", epochs=pit_epochs))
    pit = lesson.extra.get("pitfall")
    if pit is None:
        pq[1].caption(T("mini_batches.s4.press"))
    else:
        runs = pit["runs"]
        if pit["source"] != cfg:
            pq[1].info(T("mini_batches.s4.stale"))
        labels = {k: T(label) for k, label in mini_batches.PITFALL_LABELS.items()}
        frame = mini_batches.step_loss_frame({labels[key]: r.losses() for key, r in runs.items()})
        ui.chart(mbc.compare_chart(frame, "step", log_y=True, order=[labels[False], labels[True]],
                                    title=T("mini_batches.s4.chart_title"), labels=T.labels), "pitfall")
        st.dataframe(T.frame(mini_batches.summary_table(runs, labels, PIT_COLUMNS, explain=lambda r: r.explain(T))),
                     hide_index=True, width="stretch")
        if all(r.status == "ok" for r in runs.values()):
            st.caption(T("mini_batches.s4.smooth", n=run.n, bs=run.batch_size, factor=f"{run.n / run.batch_size:.3g}"))
        for key, r in runs.items():
            if r.status != "ok":
                st.error(T("mini_batches.s3.run_failed", label=labels[key], message=r.explain(T)))
        note = mini_batches.pitfall_note(runs[True].config, run.n)
        if note and runs[True].status != "ok":
            st.info(T("mini_batches.s4.diverged_why", note=note))
