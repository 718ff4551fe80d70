"""Chart builders (pure functions, no streamlit): shared ones here, lesson ones in submodules.

The charts a page redraws on every Step are plain Vega-Lite specs (`*_spec`, gdcore.charts.vl); the
builder of the same name returns the same chart as an Altair object."""
from .common import loss_curve, loss_curve_spec, loss_frame, loss_table, scatter_fit, traces
from .landscape import landscape, low_loss_colour, path_frame, path_table

__all__ = ["landscape", "loss_curve", "loss_curve_spec", "loss_frame", "loss_table", "low_loss_colour", "path_frame",
           "path_table", "scatter_fit", "traces"]
