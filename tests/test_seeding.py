"""Which tutorials are seeded, and the measured spread of the unseeded ones: the stored finals equal
fresh runs, and the sentences the pages show carry those numbers."""
import pytest
import torch

from gdcore import Run, seeding
from gdcore.i18n import translator
from gdcore.seed_spread import FINALS

CHECK = {"linreg-manual": [0, 13], "linreg-minibatch": [0, 7], "linreg-d2l": [3], "linreg-module": [5]}


@pytest.mark.parametrize("preset, seeds", CHECK.items(), ids=list(CHECK))
def test_stored_finals_are_what_fresh_runs_give(preset, seeds):
    stored = {s: (w, b) for s, w, b in FINALS[preset]}
    assert sorted(stored) == list(range(seeding.SEEDS))
    torch.set_num_threads(1)  # as the table was made (and as the dashboard runs)
    for s, w, b in seeding.finals(preset, seeds):
        assert w == pytest.approx(stored[s][0], abs=1e-6) and b == pytest.approx(stored[s][1], abs=1e-6)


def test_000_keeps_its_seeded_data_and_varies_only_the_start():
    base = seeding.tutorial_run("linreg-minibatch")
    data = Run(base).data
    a, b = (Run(base.replace(seed=s), data) for s in (0, 1))
    assert a.data is data and b.data is data and not torch.equal(a.w0, b.w0)
    fresh = Run(base.replace(seed=1))  # unseeded data would differ
    assert not torch.equal(fresh.data.X, data.X)


def test_spread_is_the_range_of_the_stored_finals():
    rows = [(0, [2.0], 5.0), (1, [2.5], 4.0), (2, [1.5], 6.5)]
    s = seeding.spread("linreg-manual", {"linreg-manual": rows})
    assert (s.n, s.w_lo, s.w_hi, s.b_lo, s.b_hi) == (3, (1.5,), (2.5,), 4.0, 6.5)
    for preset in ("linreg-minibatch", "linreg-d2l", "linreg-module", "linreg-manual"):
        s = seeding.spread(preset)
        assert s.n == seeding.SEEDS and all(hi > lo for lo, hi in zip(s.w_lo, s.w_hi)) and s.b_hi > s.b_lo
    assert seeding.spread("logreg-manual") is None  # fully seeded: nothing varies


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sentences_say_what_is_seeded_with_the_measured_numbers(lang):
    T = translator(lang)
    s = seeding.spread("linreg-manual")
    text = T(seeding.sentence("linreg-manual"))
    assert text.startswith(T("seeding.none", tutorial="003", n=20, w="", b="")[:12])
    assert f"{s.w_lo[0]:.3f} – {s.w_hi[0]:.3f}" in text and f"{s.b_lo:.3f} – {s.b_hi:.3f}" in text
    assert "np.random.seed(100)" in T(seeding.sentence("linreg-minibatch"))
    assert "torch.manual_seed(123)" in T(seeding.sentence("logreg-manual"))
    d2l = seeding.spread("linreg-d2l")
    assert len(d2l.w_lo) == 2 and T(seeding.sentence("linreg-d2l")).count(" – ") == 3  # two w's and b
