"""The script's moves by hand: the start a learner set on the landscape, and each move between steps."""
from __future__ import annotations

from .plan import Plan, float32_literal


def _values(vs) -> str:
    return "[" + ", ".join(float32_literal(v) for v in vs) + "]"


def moves_lines(p: Plan) -> list[str]:
    """A table of the moves (step -> w, b), the function that makes one, and the start's."""
    if not p.moves:
        return []
    w, b = ("model.linear.weight", "model.linear.bias") if p.module else ("w", "b")
    lines = ["# ---- (w, b) set by hand ------------------------------------------------------------",
             "# step -> (w, b): 0 is the start you set; k > 0 moves them after step k, before step k + 1",
             "moves = {"]
    lines += [f"    {m.step}: ({_values(m.w)}, {_values(m.b)})," for m in p.moves]
    lines += ["}",
              "",
              "",
              "def move_to(step):",
              '    """Put w and b where they were set by hand at `step`."""',
              "    with torch.no_grad():",
              f"        {w}.copy_(torch.tensor(moves[step][0]).reshape({w}.shape))",
              f"        {b}.copy_(torch.tensor(moves[step][1]).reshape({b}.shape))"]
    if any(m.step == 0 for m in p.moves):
        lines += ["", "", "move_to(0)  # start where you put (w, b), not at the drawn values above"]
    return lines


def move_call_lines(p: Plan) -> list[str]:
    """The loop's lines after a step: a move made by hand after this step."""
    if not any(m.step > 0 for m in p.moves):
        return []
    return ["if step in moves:  # you moved (w, b) by hand here", "    move_to(step)"]
