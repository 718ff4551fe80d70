"""Opening one page of the app in Streamlit's AppTest, the way every page test starts."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


# the folds under a run that draw only while open (pages/ui/layout.folded): open in these tests, which
# read the printouts; test_page_folds checks what a folded one costs
UNFOLDED = ("layout.linear_regression.printout", "layout.mini_batches.printout", "layout.optimizers.printout",
            "layout.optimizers.state")


def unfold(at: AppTest) -> AppTest:
    for key in UNFOLDED:
        at.session_state[key] = True
    return at


def open_page(page: str, timeout: float = 120, unfolded: bool = True) -> AppTest:
    """Run the app (entry point and sidebar), switch to `page`, and check it rendered cleanly."""
    at = AppTest.from_file(APP, default_timeout=timeout)  # generous: the first run imports torch
    if unfolded:
        unfold(at)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def open_link(page: str, params: dict, timeout: float = 120) -> AppTest:
    """Open `page` the way a shared link does: a fresh session whose first request carries `params`."""
    at = unfold(AppTest.from_file(APP, default_timeout=timeout))
    at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    return at


def away_and_back(at: AppTest, page: str) -> AppTest:
    """Visit Home, then come back to `page` (what a learner's page switch does to session state)."""
    for target in ("pages/views/home.py", page):
        at.switch_page(target).run()
        assert not at.exception, at.exception
    return at


def chart_frames(at: AppTest) -> list:
    """The data frames the page's charts were sent with: Arrow beside the spec, and small layers inline."""
    import json

    import pandas as pd
    import pyarrow as pa
    frames = [pa.ipc.open_stream(d.data.data).read_pandas()
              for c in at.get("vega_lite_chart") for d in c.proto.datasets]
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    return frames + [pd.DataFrame(layer["data"]["values"]) for spec in specs for layer in spec.get("layer", [spec])
                     if "values" in layer.get("data", {})]


def hand_slider(at: AppTest, page: str, name: str):
    """The hands panel's w or b slider on `page` (its key follows the run: pages.ui.cockpit.hand_keys)."""
    return next(s for s in at.slider if (s.key or "").startswith(f"w.{page}.hand_{name}."))
