"""Saved weights: a run's state_dict round-trips through torch.save, and bad files are refused."""
import io
import pickle

import pytest
import torch

from gdcore import Run, preset_config, weights
from gdcore.errors import DataError


@pytest.mark.parametrize("preset", ["linreg-manual", "linreg-module", "logreg-manual", "linreg-d2l"])
def test_state_dict_round_trip_restarts_from_the_saved_weights(preset):
    a = Run(preset_config(preset, steps=7))
    a.run(7)
    raw = weights.save(a.state_dict())
    b = Run(preset_config(preset, steps=7))
    b.start_from(*weights.start_values(b, weights.load(raw, b.state_dict())))
    assert b.params() == a.params() and b.step_count == 0
    b.run(3)
    b.reset()  # reset goes back to the loaded start, not the drawn one
    assert b.params() == a.params()


def test_module_state_dict_loads_into_a_plain_nn_linear():
    run = Run(preset_config("linreg-module", steps=5))
    run.run(5)
    state = torch.load(io.BytesIO(weights.save(run.state_dict())), weights_only=True)
    lin = torch.nn.Linear(1, 1)
    lin.load_state_dict({k.removeprefix("linear."): v for k, v in state.items()})
    assert lin.weight.item() == run.params()["w"][0] and lin.bias.item() == run.params()["b"][0]


class Evil:
    def __reduce__(self):
        return (print, ("executed",))


@pytest.mark.parametrize("raw, words", [
    (b"", "empty"),
    (b"\x00" * (weights.MAX_WEIGHTS_BYTES + 1), "KB"),
    (b"not a pickle at all", "not a state_dict"),
    (pickle.dumps(Evil()), "not a state_dict"),
])
def test_bad_files_are_refused_with_one_sentence(raw, words):
    run = Run(preset_config("linreg-manual"))
    with pytest.raises(DataError, match=words):
        weights.load(raw, run.state_dict())


def test_an_object_with_code_is_never_executed(capsys):
    buf = io.BytesIO()
    torch.save({"w": Evil()}, buf)
    with pytest.raises(DataError):
        weights.load(buf.getvalue(), Run(preset_config("linreg-manual")).state_dict())
    assert "executed" not in capsys.readouterr().out


@pytest.mark.parametrize("state, words", [
    ({"w": torch.zeros(1)}, "keys"),
    ({"w": torch.zeros(2), "b": torch.zeros(1)}, "shape"),
    ({"w": torch.tensor([float("nan")]), "b": torch.zeros(1)}, "NaN"),
    ({"w": torch.tensor([1]), "b": torch.zeros(1)}, "floating"),
    ([torch.zeros(1)], "dict"),
])
def test_wrong_keys_shapes_and_values_are_refused(state, words):
    run = Run(preset_config("linreg-manual"))
    with pytest.raises(DataError, match=words):
        weights.load(weights.save(state), run.state_dict())
