"""The nn.Module lesson's sections after the race, drawn by pages/views/optimizers.py: the manual
loop of lesson 2 and nn.Module + torch.optim stepped in lockstep (their parameters agree to float
rounding), and the same run on each device with its time per step."""
import streamlit as st

from gdcore.charts import optimizers as ocharts
from gdcore.devices import available_devices
from gdcore.errors import GdError
from gdcore.lessons import optimizers
from gdcore.presets import preset_config
from pages import ui


def lockstep_section(lesson) -> None:
    """Two runs from the same start, one manual and one through nn.Module and torch.optim, stepped together."""
    T = ui.tr()
    st.divider()
    st.subheader(T("optimizers.lockstep.heading"))
    l1, l2 = st.columns(2)
    l1.code("# manual (lesson 2)\ny_hat = x * w + b\nloss = torch.mean((y_hat - y) ** 2)\nloss.backward()\n"
            "w.data -= lr * w.grad.data\nb.data -= lr * b.grad.data\nw.grad.zero_(); b.grad.zero_()",
            language="python", wrap_lines=True)
    l2.code("# nn.Module + torch.optim\nout = model(x)\nloss = criterion(y, out)\noptimizer.zero_grad()\n"
            "loss.backward()\noptimizer.step()", language="python", wrap_lines=True)
    st.markdown(T("optimizers.lockstep.text"))
    pair = optimizers.ensure_lockstep(lesson.extra, lesson.config, lesson.run.data) if lesson.run is not None else None


    def _step_both(n):
        p = lesson.extra.get("lockstep")
        if p is not None:
            optimizers.step_both(p[0], p[1], n)


    def _reset_both():
        p = lesson.extra.get("lockstep")
        if p is not None:
            p[0].reset()
            p[1].reset()


    if pair is not None:
        manual, module = pair
        bc = st.columns([1, 1, 1, 3])
        bc[0].button(T("optimizers.lockstep.step"), key="b.optimizers.lock_step", on_click=_step_both, args=(1,),
                     width="stretch", help=T("optimizers.lockstep.step_help"))
        bc[1].button(T("optimizers.lockstep.step100"), key="b.optimizers.lock_step100", on_click=_step_both,
                     args=(100,), width="stretch", help=T("optimizers.lockstep.step100_help"))
        bc[2].button(T("optimizers.lockstep.reset"), key="b.optimizers.lock_reset", on_click=_reset_both,
                     width="stretch")
        if manual.step_count:
            diff = T.frame(optimizers.lockstep_diff(manual, module, last=8))
            worst = optimizers.max_abs_diff(manual, module)
            bc[3].metric(T("optimizers.lockstep.largest"), f"{worst:.2e}", help=T("optimizers.lockstep.largest_help"))
            fmt = {c: "{:.3e}" if c.startswith("|Δ") else "{:.7f}" for c in diff.columns if c != "step"}
            st.dataframe(diff.style.format(fmt), hide_index=True, width="stretch")
            st.caption(T("optimizers.lockstep.caption", n=manual.step_count))
        else:
            st.caption(T("optimizers.lockstep.press"))


def device_section(lesson, run, preset: str) -> None:
    """Moving the model and data to a device, and the run's time per step on each device here."""
    T = ui.tr()
    st.divider()
    st.subheader(T("optimizers.device.heading"))
    st.code('device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")\n'
            "x, y = x.to(device), y.to(device)           # data onto the device\n"
            "model = Lr().to(device)                     # parameters onto the device\n"
            "...                                         # the loop is unchanged\n"
            "predict = model(x)\n"
            "predict = predict.cpu().detach().numpy()    # back to host memory, off the graph, to numpy",
            language="python", wrap_lines=True)
    d1, d2 = st.columns([1, 2])
    with d1:
        if run is not None:
            us = optimizers.us_per_step(run)
            st.metric(T("optimizers.device.metric", device=run.device),
                      T("optimizers.device.per_step", us=f"{us:,.0f}") if us else "—",
                      help=T("optimizers.device.metric_help"))
    with d2:
        st.markdown(T("optimizers.device.text"))
        devs = [d for d in available_devices() if d != "auto"]

        def _measure():
            try:
                lesson.extra["timing"] = optimizers.timing_table(lesson.config or preset_config(preset), devs)
                lesson.extra.pop("timing_error", None)
            except GdError as exc:
                lesson.extra["timing"] = None
                lesson.extra["timing_error"] = T(exc.message)

        st.button(T("optimizers.device.measure", devices=", ".join(devs)), key="b.optimizers.measure",
                  on_click=_measure, help=T("optimizers.device.measure_help"))
    if lesson.extra.get("timing_error"):
        st.error(lesson.extra["timing_error"])
    if lesson.extra.get("timing") is not None:
        tt = lesson.extra["timing"]
        t1, t2 = st.columns(2)
        with t1:
            ui.chart(ocharts.timing_bars(tt, labels=T.labels), "timing")
        heads = {c: T(m) for c, m in optimizers.timing_headers().items()}
        t2.dataframe(tt.rename(columns=heads).style.format({heads["µs per step"]: "{:,.1f}",
                                                            heads["steps per second"]: "{:,.0f}"}),
                     hide_index=True, width="stretch")
        if len(devs) == 1:
            t2.caption(T("optimizers.device.cpu_only"))
