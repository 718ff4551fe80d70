"""Caption numbers: ordinary values keep their decimals, blown-up ones are written compactly."""
import math

import pytest

from gdcore.numbers import compact, fixed


@pytest.mark.parametrize("v, text", [(2.96013, "2.9601"), (-0.8, "-0.8000"), (0.0, "0.0000"), (99999.0, "99999.0000"),
                                     (-1335447444204290048.0, "-1.34e18"), (1e5, "1e5"), (2.5e300, "2.5e300"),
                                     (math.nan, "—"), (math.inf, "—")])
def test_fixed(v, text):
    assert fixed(v) == text


@pytest.mark.parametrize("v, text", [(1.2345e-7, "1.23e-7"), (0.125, "0.125"), (123456789.0, "1.23e8"), (-3.0, "-3")])
def test_compact(v, text):
    assert compact(v) == text


def test_compact_round_trips_to_the_same_magnitude():
    for v in (-1335447444204290048.0, 7.7e-12, 4.2e33):
        assert float(compact(v)) == pytest.approx(v, rel=5e-3)
