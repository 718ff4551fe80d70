"""Downloads every lesson offers: the state_dict (.pt) loads back with weights_only, charts export as SVG,
and an uploaded .pt restarts the run from its weights (a bad one is refused, the run kept)."""
import io

import torch
from apptest_util import open_page

from gdcore import Run, preset_config, weights
from gdcore.charts import common
from pages import ui
from pages.ui import files

PAGE = "pages/views/linear_regression.py"


def test_weights_download_is_a_plain_state_dict():
    run = Run(preset_config("linreg-module", steps=3))
    run.run(3)
    state = torch.load(io.BytesIO(ui.weights_bytes(run)), weights_only=True)
    assert set(state) == {"linear.weight", "linear.bias"}
    assert state["linear.weight"].item() == run.params()["w"][0]


def test_chart_svg_export():
    chart = common.loss_curve(common.loss_frame([3.0, 2.0, 1.5, 1.2]))
    svg = files._svg(chart).decode()
    assert svg.lstrip().startswith("<svg") and "</svg>" in svg and "loss" in svg


def test_every_lesson_offers_the_downloads():
    at = open_page(PAGE)
    at.button(key="b.linear_regression.step").click().run()  # the loss chart is drawn from the first step on
    keys = {b.proto.id and b.key for b in at.get("download_button")}
    assert {"b.linear_regression.dl_py", "b.linear_regression.dl_csv", "b.linear_regression.dl_pt"} <= keys
    svg = {k for k in keys if k and k.startswith("b.linear_regression.dl_svg.")}
    assert svg == {"b.linear_regression.dl_svg.fit", "b.linear_regression.dl_svg.loss",
                   "b.linear_regression.dl_svg.landscape"}


def _upload_pt(at, name, raw):
    at.file_uploader(key="u.linear_regression.pt").set_value((name, raw, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def test_uploaded_weights_become_the_runs_start():
    at = open_page(PAGE)
    lesson = at.session_state["_lesson.linear_regression"]
    want = {"w": torch.tensor([2.5]), "b": torch.tensor([-0.75])}
    _upload_pt(at, "start.pt", weights.save(want))
    run = at.session_state["_lesson.linear_regression"].run
    assert run.params() == {"w": [2.5], "b": [-0.75]} and run.step_count == 0
    [b for b in at.button if b.key == "b.linear_regression.step"][0].click().run()
    # one step from the loaded start equals a run started there by hand
    ref = Run(run.config, run.data)
    ref.start_from(want["w"], want["b"])
    ref.run(1)
    assert at.session_state["_lesson.linear_regression"].run.params() == ref.params()
    assert lesson is at.session_state["_lesson.linear_regression"]


def test_bad_weights_are_refused_and_the_run_kept():
    at = open_page(PAGE)
    [b for b in at.button if b.key == "b.linear_regression.step"][0].click().run()
    before = at.session_state["_lesson.linear_regression"].run.params()
    _upload_pt(at, "other.pt", weights.save({"linear.weight": torch.zeros(1, 1), "linear.bias": torch.zeros(1)}))
    assert any("keys" in e.value for e in at.error)
    run = at.session_state["_lesson.linear_regression"].run
    assert run.params() == before and run.step_count == 1
    _upload_pt(at, "junk.pt", b"not a torch file")
    assert any("state_dict" in e.value for e in at.error)
