"""What a Step sends of the charts' data: the same picture and tooltips with fewer bytes (rendered by Vega)."""
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import vl_convert

from gdcore import charts
from gdcore.charts import linear_regression as lr
from gdcore.charts import mini_batches as mb
from gdcore.charts import vl
from gdcore.charts.common import default_labels
from gdcore.downsample import CELLS, SCREEN_POINTS, minmax_indices, moved_indices, screen_mask


def _svg(sent: dict) -> str:
    """The chart as Vega draws it (SVG), with Arrow data sets turned into rows."""
    plain = {**sent, "datasets": {k: t.to_pylist() for k, t in sent.get("datasets", {}).items()}}
    if not plain["datasets"]:
        del plain["datasets"]
    svg = vl_convert.vegalite_to_svg(json.loads(json.dumps(plain, default=float)))
    return re.sub(r"\b(clip|gradient_)\d+", r"\1#", svg)


def _bytes(sent: dict) -> int:
    return sum(t.nbytes for t in sent.get("datasets", {}).values())


def test_a_curves_one_name_and_counting_numbers_are_made_in_the_browser_and_drawn_the_same():
    losses = np.geomspace(90, 1, 200).astype(np.float32).astype(np.float64)
    every = pd.DataFrame({"step": np.arange(1, 41) * 5, "epoch": np.arange(1, 41), "loss": np.geomspace(80, 1, 40)})
    for spec in (lr.loss_curve_with_optimum_spec(charts.loss_table(losses), 0.9),
                 mb.loss_with_epochs_spec(charts.loss_frame(losses[:37] * 3), every),
                 mb.batch_scatter_spec(np.linspace(0, 5, 80), np.linspace(3, 9, 80) ** 1.5, np.arange(80) % 3)):
        sent = vl.wire(spec)
        for t in sent["datasets"].values():
            assert not {"series", "sample", "epoch"} & set(t.column_names)  # made in the browser by a transform
        assert _svg(sent) == _svg(vl.wire(spec, inline_rows=10 ** 6))  # every row's name inline, as before


def test_a_name_with_quotes_survives_the_transform():
    name = 'a "quoted" \\ name: é'
    t = vl.Table({"step": np.arange(100), "loss": np.linspace(2, 1, 100), "series": name})
    arrow, back = t.arrow(lift=True)
    assert arrow.column_names == ["loss"]  # the steps count up: made in the browser too
    assert back == [{"window": [{"op": "row_number", "as": "step"}]},
                    {"calculate": "0 + (datum[\"step\"] - 1) * 1", "as": "step"},
                    {"calculate": json.dumps(name), "as": "series"}]
    spec = charts.loss_curve_spec(t, log=False)
    assert _svg(vl.wire(spec)) == _svg(vl.wire(spec, inline_rows=10 ** 6))


def test_a_few_names_go_as_codes_the_spec_names_once_and_draw_the_same():
    names = ['not "drawn" yet', "drawn \\ this epoch", "当前批次"]
    roles = np.arange(90) % 3
    spec = mb.batch_scatter_spec(np.linspace(0, 5, 90), np.linspace(3, 9, 90) ** 1.5, roles,
                                 labels={**default_labels(), **{f"charts.minibatch.role.{k}": n
                                                                for k, n in zip(mb.ROLE_KEYS, names)}})
    sent = vl.wire(spec)
    table = sent["datasets"]["data0"]
    assert table.schema.field("role").type == pa.int8()
    assert table.column("role").to_pylist() == roles.tolist()
    assert _svg(sent) == _svg(vl.wire(spec, inline_rows=10 ** 6))  # the filters on the names pick the same points
    arrow, back = vl.Table({"s": pa.array(["b", "a"] * 30)}, 60).arrow(lift=True)
    assert arrow.column("s").to_pylist() == [0, 1] * 30 and back == [{"calculate": '["b", "a"][datum.s]', "as": "s"}]
    assert vl.Table({"s": pa.array(["a", None] * 30)}, 60).arrow(lift=True)[1] == []  # a missing name: as it is
    assert vl.Table({"s": pa.array(["a", "b"] * 3)}, 6).arrow(lift=True)[1] == []  # a short table: as it is


def test_the_screen_keeps_first_last_and_every_extreme():
    rng = np.random.default_rng(3)
    y = np.geomspace(100, 0.01, 30_000) * (1 + 0.05 * rng.standard_normal(30_000))
    y[[777, 12_345, 29_000]] = [1e4, 1e-6, 5e3]  # spikes up and down
    keep = np.flatnonzero(screen_mask(y))
    assert len(keep) <= SCREEN_POINTS
    assert keep[0] == 0 and keep[-1] == len(y) - 1
    assert {777, 12_345, 29_000} <= set(keep)
    assert y[keep].max() == y.max() and y[keep].min() == y.min()
    # every bucket's extremes: the envelope the chart draws is the full series' envelope
    assert np.array_equal(keep, minmax_indices(y, SCREEN_POINTS))


def test_the_screen_thins_each_curve_on_its_own():
    y = np.r_[np.linspace(5, 1, 2000), [4.0, 3.0, 2.0]]
    groups = ["step"] * 2000 + ["epoch"] * 3
    keep = screen_mask(y, groups)
    assert keep[-3:].all() and keep[:2000].sum() <= SCREEN_POINTS
    assert screen_mask(y[:100]).all()  # short: every point


def test_a_long_loss_curve_is_sent_at_screen_points():
    losses = np.geomspace(90, 1, 5000).astype(np.float32).astype(np.float64)
    sent = vl.wire(lr.loss_curve_with_optimum_spec(charts.loss_table(losses), 0.9))
    table = sent["datasets"]["data0"]
    start = next((int(t["calculate"].rsplit("+", 1)[1]) for t in sent["layer"][0]["transform"]
                  if t.get("as") == "step" and "calculate" in t), 0)
    steps = start + np.cumsum(table.column("step").to_numpy())  # each step's rise, summed as the browser does
    assert table.num_rows <= SCREEN_POINTS and steps[0] == 1 and steps[-1] == 5000
    assert _bytes(sent) <= SCREEN_POINTS * 5  # step: its rise, int8; loss float32; no names
    assert _svg(sent) == _svg(vl.wire(lr.loss_curve_with_optimum_spec(charts.loss_table(losses), 0.9),
                                      inline_rows=10 ** 6))  # every step inline, as it is


def test_steps_sent_as_rises_draw_the_same_and_start_anywhere():
    rng = np.random.default_rng(3)
    steps = 4000 + np.cumsum(rng.integers(1, 120, 200))  # a thinned curve late in a long run
    t = vl.Table({"step": steps, "loss": np.geomspace(5, 1, 200).astype(np.float32).astype(np.float64)})
    arrow, back = t.arrow(lift=True)
    assert arrow.schema.field("step").type == pa.int8()
    assert back[-1] == {"calculate": f"datum.step + {int(steps[0])}", "as": "step"}
    spec = charts.loss_curve_spec(t, log=False)
    assert _svg(vl.wire(spec)) == _svg(vl.wire(spec, inline_rows=10 ** 6))


def _zigzag(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent on a narrow valley: w creeps, b jumps from side to side, ever less."""
    k = np.arange(n)
    return 0.2 + 2.5 * (1 - 0.995 ** k), 1.0 + 3.0 * (-0.9) ** k


def test_a_path_keeps_every_turn_of_its_zigzag():
    w, b = _zigzag(3000)
    keep = moved_indices(w, b)
    assert keep[0] == 0 and keep[-1] == len(w) - 1
    turns = np.flatnonzero(np.abs(b - 1.0) * CELLS >= 2 * np.ptp(b))  # swings of two cells or more
    assert set(turns) <= set(keep)
    # what is left out lies within a cell of the point kept before it
    last = np.maximum.accumulate(np.where(np.isin(np.arange(len(w)), keep), np.arange(len(w)), 0))
    assert (np.abs(w - w[last]) <= np.ptp(w) / CELLS).all() and (np.abs(b - b[last]) <= np.ptp(b) / CELLS).all()


def test_a_long_path_keeps_its_early_steps_in_full():
    w, b = _zigzag(3000)
    w = w + np.linspace(0, 1, 3000)  # still moving: more points than the chart is sent
    t = charts.path_table(np.arange(3000), w, b, max_points=300)
    steps = np.asarray(t.columns["step"])
    assert len(steps) <= 300 and steps[-1] == 2999
    assert steps[:150].tolist() == list(range(150))  # the zigzag, step by step


def test_path_w_and_b_in_tooltip_decimals_draw_the_same_and_read_the_same():
    from test_charts_vl_shared import _landscape
    spec = _landscape(300, np.float32)
    sent = vl.wire(spec)
    path = next(t for t in sent["datasets"].values() if "w" in t.column_names)
    assert str(path.schema.field("w").type) == "int16"
    path64 = next(t for t in vl.wire(_landscape(300)).get("datasets", {}).values() if "w" in t.column_names)
    assert str(path64.schema.field("w").type) == "double"  # a float64 run's w and b go as they are
    plain = vl.wire(spec, inline_rows=10 ** 6)
    new, old = _svg(sent), _svg(plain)
    number = r"-?\d+\.?\d*(?:e-?\d+)?"
    assert re.sub(number, "#", new) == re.sub(number, "#", old)  # the same marks, in the same places...
    a, b = (np.asarray(re.findall(number, x), dtype=float) for x in (new, old))
    assert np.abs(a - b).max() < 0.05  # ...to a twentieth of a pixel
    rows = next(x["data"]["values"] for x in plain["layer"] if x.get("encoding", {}).get("order"))
    w = np.asarray(path.column("w").to_pylist()) / 1e4
    assert [f"{v:.4f}" for v in w] == [f"{r['w']:.4f}" for r in rows]


def test_a_landscape_draws_each_path_at_its_pixels_with_its_zigzag_in_full():
    from gdcore.charts.landscape import PATH_POINTS, landscape_specs
    from gdcore.downsample import SCREEN_CELLS
    k = np.arange(4000)
    w, b = 1.0 + 0.5 * (1 - 0.999 ** k), 1.0 + 0.8 * (-0.95) ** k  # a zigzag, then a slow creep
    paths = pd.DataFrame({"step": np.r_[k, k], "w": np.r_[w, w + 0.2], "b": np.r_[b, b],
                          "series": ["a"] * 4000 + ["b"] * 4000})
    layers, xs, ys = landscape_specs(np.ones((5, 5)), np.linspace(0, 3, 5), np.linspace(0, 3, 5), paths, None,
                                     "t", "w", "b", None)
    drawn = layers[1]["data"]
    steps, series = np.asarray(drawn.columns["step"]), np.asarray(drawn.values("series"))
    for name in ("a", "b"):
        mine = steps[series == name]
        assert 2 < len(mine) <= PATH_POINTS and mine[0] == 0 and mine[-1] == 3999
        swings = k[np.abs(b - 1.0) * SCREEN_CELLS >= 2 * 3.75]  # swings of two of its cells or more
        assert set(swings) <= set(mine)  # every turn of the zigzag


def _drawn_path(w, b, window):
    """The steps of a path (w, b) a landscape over `window` ((w range), (b range)) draws."""
    from gdcore.charts.landscape import landscape_specs
    k = np.arange(len(w))
    (wlo, whi), (blo, bhi) = window
    layers, _, _ = landscape_specs(np.ones((5, 5)), np.linspace(wlo, whi, 5), np.linspace(blo, bhi, 5),
                                   charts.path_table(k, w, b), None, "t", "w", "b", None)
    return np.asarray(layers[1]["data"].columns["step"])


def test_a_diverging_path_keeps_its_first_zigzags_in_the_window():
    """A run that blows up: its far end lies outside the window, its first zigzags inside are all drawn."""
    k = np.arange(60)
    w = 0.7 - 0.3 * (-1.7) ** k  # each step farther out, on the other side
    b = np.full(60, 1.0)  # the steep direction alone: w
    window = ((-40.0, 40.0), (0.0, 2.0))
    inside = k[(np.abs(w) <= 40)]
    drawn = _drawn_path(w, b, window)
    assert set(inside) <= set(drawn) and len(inside) >= 8


def test_a_long_zigzag_past_the_cap_still_changes_side_at_every_point_drawn():
    """A slowly damped zigzag of more steps than a landscape draws: the points kept after the first ones in
    full still alternate sides (an even spacing drew a slow wave that is not there)."""
    from gdcore.charts.landscape import PATH_POINTS
    k = np.arange(2000)
    w, b = 1.0 + 0.0005 * k, 1.0 - (-0.999) ** k
    drawn = _drawn_path(w, b, ((0.0, 3.0), (-1.0, 3.0)))
    assert len(drawn) <= PATH_POINTS and drawn[0] == 0 and drawn[-1] == 1999
    side = np.sign(b[drawn[:-1]] - 1.0)
    assert (side[1:] != side[:-1]).all()
