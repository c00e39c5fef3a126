"""The simulated day on the real engine: deterministic for a seed, and a real day's shape."""

import json

import pytest

from qms.cli import main
from server.contract.vocab import TicketStatus
from server.seed.ward import ward_thu_duc
from server.simulation.day import DayFileError, default_day_file, load_day, parse_day
from server.simulation.hall import staffed_counters
from server.simulation.run import compare, day_figures, errors_of, sim_dates, simulate

WARD = ward_thu_duc()
DAY = load_day(default_day_file("phuong-thu-duc"))


def run_once(seed: int, days: int = 1) -> list:
    return list(simulate(WARD, DAY, rng_seed=seed, days=days))


def fingerprint(hall) -> list[tuple]:
    return [(e.ticket_id, e.kind, e.at.isoformat(), e.counter_id) for e in hall.events]


def test_the_same_seed_gives_the_same_day_and_estimates():
    first, again = run_once(3)[0], run_once(3)[0]
    assert fingerprint(first) == fingerprint(again)
    assert compare([first], ["look-ahead"]) == compare([again], ["look-ahead"])
    assert fingerprint(run_once(4)[0]) != fingerprint(first)


def test_a_day_is_the_same_whatever_number_of_days_is_run():
    one = run_once(5, days=1)[0]
    second_run = run_once(5, days=2)
    assert fingerprint(second_run[0]) == fingerprint(one)
    assert second_run[1].midnight.date() > one.midnight.date()


def test_every_visit_ends_and_every_issued_ticket_got_every_estimate():
    hall = run_once(1)[0]
    assert all(
        t.status not in (TicketStatus.WAITING, TicketStatus.CALLED) for t in hall.tickets.values()
    )
    outcomes = list(hall.outcomes.values())
    assert len(outcomes) > 100
    assert all(
        set(o.estimates) == {"queue-length", "last-to-enter-service", "head-of-line", "look-ahead"}
        for o in outcomes
    )
    kinds = {e.kind for e in hall.events}
    assert {"issued", "called", "started", "finished", "no_show", "recalled", "parked"} <= kinds
    figures = day_figures(hall)
    assert figures["issued"] == len(outcomes)
    assert 0 < figures["utilisation"] < 1
    assert set(figures["mean_wait_by_hour_s"]) <= {str(h) for h in range(7, 18)}


def test_fewer_counters_mean_longer_waits():
    full = day_figures(run_once(2)[0])
    half = day_figures(
        next(iter(simulate(WARD, DAY, rng_seed=2, staffed=staffed_counters("1,3", WARD.counters))))
    )
    assert half["mean_wait_s"] > full["mean_wait_s"]
    assert set(half["utilisation_by_counter"]) == {1, 3}


def test_error_figures():
    errors = errors_of([(600.0, 600.0), (900.0, 600.0), (0.0, 30.0)])
    assert errors.count == 3
    assert errors.median_abs_s == 30.0
    assert errors.within_25pct == pytest.approx(1 / 3)
    assert errors.bias_s == pytest.approx((0 + 300 - 30) / 3)
    assert errors.median_rel == pytest.approx(0.5)  # 30 s off a 30 s wait counts against 60 s


def test_weekdays_only():
    dates = sim_dates(DAY.first_date, 6)
    assert all(d.weekday() < 5 for d in dates) and len(set(dates)) == 6


def test_day_file_errors_name_the_key():
    with pytest.raises(DayFileError, match="profile"):
        parse_day({"site": "x", "arrivals": {"profile": {"7": 0}}})
    with pytest.raises(DayFileError, match="priority_share"):
        parse_day({"site": "x", "arrivals": {"profile": {"7": 1}, "priority_share": 2}})
    with pytest.raises(DayFileError, match="missing key"):
        parse_day({"arrivals": {"profile": {"7": 1}}})


def test_qms_simulate_writes_json_and_a_chart(tmp_path, capsys):
    out, png = tmp_path / "sim.json", tmp_path / "sim.png"
    args = ["simulate", "--site", "phuong-thu-duc", "--days", "2", "--json", str(out)]
    assert main([*args, "--plot", str(png), "--estimators", "queue-length,look-ahead"]) == 0
    data = json.loads(out.read_text())
    assert len(data["days"]) == 2 and set(data["estimators"]) == {"queue-length", "look-ahead"}
    assert data["estimators"]["look-ahead"]["count"] > 100
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "look-ahead" in capsys.readouterr().out
    assert main(["simulate", "--site", "nowhere"]) == 2
