"""The linear-regression lesson's printout, drawn by pages/views/linear_regression.py under the charts:
what the tutorial would have printed by now, as printed and as a table."""
import pyarrow as pa
import streamlit as st

from gdcore import printouts
from gdcore.lessons import linear_regression as lesson_math
from pages import ui


def printout(run) -> None:
    """What the tutorial would have printed by now, at its own cadence (000: every step; 003: every 500)."""
    T = ui.tr()
    recs = run.records(last=15)
    if not recs:
        return
    preset = run.config.preset
    epochs = preset == printouts.EPOCH_BATCH
    st.markdown(T("linear_regression.train.printout"))
    st.caption(T("linear_regression.train.printout_000" if epochs else "linear_regression.train.printout_003"))
    tab1, tab2 = st.tabs([T("linear_regression.train.as_printed"), T("linear_regression.train.as_table")])
    printed = printouts.lines(preset, run.losses(), recs, run.total_steps, last=15)
    tab1.code("\n".join(printed), language="text", wrap_lines=True)
    tab2.dataframe(pa.table(lesson_math.step_columns(recs, epochs=epochs)), hide_index=True, width="stretch",
                   column_config={c: st.column_config.NumberColumn(format="%.6g")
                                  for c in ("loss", "Δw", "Δb", "w", "b")})
