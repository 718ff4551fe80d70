"""Altair chart builders (pure functions, no streamlit): shared ones here, lesson ones in submodules."""
from .common import loss_curve, loss_frame, scatter_fit, traces
from .landscape import landscape, low_loss_colour, path_frame

__all__ = ["landscape", "loss_curve", "loss_frame", "low_loss_colour", "path_frame", "scatter_fit", "traces"]
