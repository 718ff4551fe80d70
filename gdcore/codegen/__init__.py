"""Export a run as a standalone, readable PyTorch script in the tutorials' own style.

    text = export_script(config)          # export_script(config, data) for an uploaded CSV
    open(script_filename(config), "w").write(text)

Run alone (only torch and numpy installed, on the CPU), the script performs the same run as
`Run(config, data).run()` and ends by printing `w = [...]` and `b = [...]`: the run's final
parameters, bit for bit. Each feature (data recipe, loader, model, loss, update) writes its own few
lines of plain code, so the script reads like the tutorial it came from, not like a framework.

The script repeats the engine's arithmetic operation by operation (same expressions, same
generators, drawn in the same order), which is why the numbers match exactly. The loop's variable
parts (loss, update, loader) come from the same pieces as the engine's step (gdcore/loops); the
rest is written here, one section a module:

    plan.py       what the script has to do (sizes, styles, names) and exact number literals
    header.py     docstring, imports, helpers, settings
    data.py       the data recipe (or the uploaded table) and the initial parameters
    model.py      the model: nn.Module or plain functions of w and b
    training.py   loss and update, batches, the training loop, the result
"""
from __future__ import annotations

import re

from ..config import Config
from ..data import Dataset
from .data import data_lines, init_lines
from .header import header_lines, helper_lines, import_lines, settings_lines
from .model import model_lines
from .moves import moves_lines
from .plan import MAX_EMBEDDED_VALUES, Plan
from .training import batch_lines, loss_and_update_lines, result_lines, training_lines

__all__ = ["MAX_EMBEDDED_VALUES", "export_script", "script_filename"]


def script_filename(config: Config) -> str:
    """A file name for the exported script, e.g. `linreg_minibatch.py`."""
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", config.preset or "")[:60].strip("_")
    return (stem or f"{config.task}_{config.impl}") + ".py"


def export_script(config: Config, data: Dataset | None = None, moves=()) -> str:
    """A standalone Python script that repeats `Run(config, data).run()` exactly, on the CPU.

    `data` is needed for custom (CSV) data; for generated data it may be left out (the script
    regenerates it from the config's recipe). Raises ConfigError / DataError with one sentence
    when the run cannot be exported. `moves` (a run's `moves`, gdcore.manual.Move) are repeated:
    the start set by hand, and each move between two steps.
    """
    plan = Plan.make(config, data)
    plan.moves = tuple(moves)
    parts = [
        header_lines(plan),
        import_lines(plan),
        helper_lines(plan),
        settings_lines(plan),
        data_lines(plan),
        init_lines(plan),
        model_lines(plan),
        moves_lines(plan),
        loss_and_update_lines(plan),
        batch_lines(plan),
        training_lines(plan),
        result_lines(plan),
    ]
    text = "\n\n\n".join("\n".join(p).strip("\n") for p in parts if p) + "\n"
    compile(text, script_filename(plan.c), "exec")  # never hand out a script that does not parse
    return text
