import pytest

from server.contract.places import counter_list


@pytest.mark.parametrize(
    ("counters", "said"),
    [
        ((1, 2, 3, 4, 5, 6), "1–6"),
        ((1, 7, 8, 9, 10, 11), "1, 7–11"),
        ((5, 6), "5, 6"),
        ((7, 5, 6), "5–7"),
        ((3,), "3"),
        ((), ""),
        ((2, 2, 3, 4, 9), "2–4, 9"),
    ],
)
def test_runs_of_counters_read_as_ranges(counters, said):
    assert counter_list(counters) == said
