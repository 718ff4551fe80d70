"""The gradient's pull on the logistic-regression boundary: the boundary after the next step is the one
the engine's actual next step leaves, and the chart draws it (and the way it moves) in few bytes."""
from __future__ import annotations

import json
import math

import pytest
import torch

from gdcore.charts import logistic_pull as pull_charts
from gdcore.charts import logistic_regression as lcharts
from gdcore.charts import vl
from gdcore.engine import Run
from gdcore.lessons import logistic_regression as lesson
from gdcore.lessons.logistic_pull import next_pull


def _json(spec: dict) -> str:
    """What the page sends of a spec, less its long tables (Arrow, the same with or without the pull)."""
    wired = vl.wire(spec)
    wired.pop("datasets", None)
    return json.dumps(wired)


VARIANTS = [{}, {"safe": True}, {"impl": "module"}, {"mode": "minibatch", "batch_size": 16}, {"mode": "batch"}]


@pytest.mark.parametrize("kw", VARIANTS, ids=["tutorial", "safe", "module", "minibatch", "batch"])
def test_the_next_boundary_is_where_the_engines_next_step_takes_it(kw):
    run = Run(lesson.variant_config(**kw))
    box = lesson.data_box(run.data.X.numpy())
    for k in range(12):
        if k == 6:
            run.run(run.steps_per_epoch + 5)  # mid-run
        pull = next_pull(run, box)
        rec = run.step()
        assert pull.step == rec["step"]
        assert (list(pull.w), pull.b) == ([rec["w1"], rec["w2"]], rec["b"])
        assert (list(pull.grad_w), pull.grad_b) == ([rec["grad_w1"], rec["grad_w2"]], rec["grad_b"])
        assert pull.segment == lesson.boundary_segment(run.params()["w"], run.params()["b"][0], box)
        assert pull.batch == (None if run.last_batch is None else tuple(run.last_batch))


def test_the_shift_runs_from_todays_boundary_to_the_next_one_and_says_which_way():
    run = Run(lesson.variant_config(lr=0.5))  # a long step, so the geometry is far above rounding
    box = lesson.data_box(run.data.X.numpy())
    run.run(3)
    for _ in range(20):
        p = run.params()
        pull = next_pull(run, box)
        w, b = p["w"], p["b"][0]
        fx, fy = pull.foot
        assert w[0] * fx + w[1] * fy + b == pytest.approx(0, abs=1e-6)  # on today's boundary
        tx, ty = fx + pull.shift[0], fy + pull.shift[1]
        assert pull.w[0] * tx + pull.w[1] * ty + pull.b == pytest.approx(0, abs=1e-6)  # on the next one
        # perpendicular to the next boundary: the nearest point of it
        assert pull.shift[0] * pull.w[1] - pull.shift[1] * pull.w[0] == pytest.approx(0, abs=1e-6)
        # the step raises the sample's score when y = 1 (lowers it when y = 0): the boundary moves so the
        # sample lands further on its own class's side, toward it exactly when it stood on the wrong side
        i = pull.batch[0]
        x, y = run.data.X[i].tolist(), float(run.data.y.reshape(-1)[i])
        z_now = w[0] * x[0] + w[1] * x[1] + b
        z_next = pull.w[0] * x[0] + pull.w[1] * x[1] + pull.b
        assert (z_next > z_now) == (y == 1)
        dist_now = abs(z_now) / math.hypot(*w)
        side_next = z_next / math.hypot(*pull.w)
        if (z_now > 0) != (y == 1) and ((side_next > 0) != (y == 1)):  # still wrong after the step: closer
            assert abs(side_next) < dist_now
        run.step()


def test_the_chart_draws_the_arrow_always_and_the_next_line_once_it_shows():
    run = Run(lesson.variant_config())
    box = lesson.data_box(run.data.X.numpy())
    seg = lesson.boundary_segment(run.params()["w"], run.params()["b"][0], box)
    points = lcharts.points_table(lesson.points_frame(run))
    base = lcharts.boundary_chart_spec(points, box, seg, lesson.true_boundary(run, box))
    small = next_pull(run, box)  # lr 0.001: far below a pixel
    spec = pull_charts.with_pull(base, small, box)
    text = _json(spec)
    assert "after step 1" not in text and '"shape": "arrow"' in text
    arrow = spec["layer"][-1]
    assert arrow["data"]["values"][0]["s"] == pytest.approx(small.distance, rel=1e-5)
    assert any(t.get("title") == "moves by" for t in arrow["encoding"]["tooltip"])
    big = next_pull(Run(lesson.variant_config(lr=5.0)), box)
    drawn = pull_charts.with_pull(base, big, box)
    lines = next(la for la in drawn["layer"] if "strokeDash" in la["encoding"])
    assert "after step 1 (dotted)" in lines["encoding"]["strokeDash"]["scale"]["domain"]  # named in the legend
    ends = [r for r in lines["data"].rows() if r["line"] == "after step 1 (dotted)"]
    assert [v for r in ends for v in (r["x1"], r["x2"])] == pytest.approx([v for p in big.segment for v in p], rel=1e-5)
    vl.altair(drawn).to_dict()  # a valid Vega-Lite spec
    assert pull_charts.with_pull(base, None, box) is base


def test_the_pull_sends_few_bytes():
    run = Run(lesson.variant_config())
    run.run(3)
    box = lesson.data_box(run.data.X.numpy())
    p = run.params()
    seg = lesson.boundary_segment(p["w"], p["b"][0], box)
    shading = lcharts.Shading(p["w"][0], p["w"][1], p["b"][0], box)
    base = lcharts.boundary_chart_spec(lcharts.points_table(lesson.points_frame(run)), box, seg,
                                       lesson.true_boundary(run, box), shading, lesson.current_sample(run))
    added = len(_json(pull_charts.with_pull(base, next_pull(run, box), box))) - len(_json(base))
    assert 0 < added <= 600, added


def test_with_samples_and_with_batch_mark_the_steps_samples():
    X = torch.tensor([[0.0, 1.0], [2.0, -1.0], [1.0, 1.0]])
    spec = pull_charts.with_samples({"layer": []}, X, [2])
    ring = spec["layer"][-1]["data"].rows()
    assert [(r["i"], r["x1"], r["x2"]) for r in ring] == [(2, 1.0, 1.0)]
    assert len(pull_charts.with_samples({"layer": []}, torch.zeros(500, 2), None)["layer"][-1]["data"]) == \
        pull_charts.MAX_RINGS
    z = [-1.0, 0.5, 20.0]
    spec = pull_charts.with_batch({"layer": []}, z, lesson.sigmoid(z), [0, 1, 1], [4, 5, 6], top=[6])
    rows = spec["layer"][-1]["data"].rows()
    assert [r["z"] for r in rows] == [-1.0, 0.5, 8.0] and rows[2]["z_true"] == 20.0  # clipped to the axis
    assert [r["kind"] for r in rows].count("adds most to the loss") == 1 and rows[2]["kind"] == "adds most to the loss"
