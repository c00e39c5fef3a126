from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from server.contract.vocab import ClosedReason, TicketStatus
from server.engine.errors import Refusal
from server.engine.issuing import availability, issue
from server.engine.model import Event, NumberFormat, OpeningHours, Ticket

from .factories import MONDAY_9AM, counter, service, site, ticket

# Local times in Ho Chi Minh City are UTC+7.
MONDAY_LUNCH = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00
MONDAY_EARLY = datetime(2026, 11, 23, 0, 29, tzinfo=UTC)  # 07:29
MONDAY_OPENS = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 07:30
MONDAY_CLOSES = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 17:00
SUNDAY_9AM = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
SATURDAY_9AM = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def issue_one(**kwargs: object) -> tuple[Ticket, Event]:
    args: dict[str, object] = {
        "ticket_id": "t1",
        "seq": 1,
        "now": MONDAY_9AM,
        "issued_today": 0,
        "priority": None,
        "language": "vi",
        "citizen_key": None,
        "citizen_tickets_today": [],
        "estimate_s": None,
        "actor": "kiosk-1",
    }
    the_site = kwargs.pop("site", site())
    the_service = kwargs.pop("service", service())
    args.update(kwargs)
    return issue(the_site, the_service, **args)  # type: ignore[arg-type]


def refusal_code(**kwargs: object) -> str:
    with pytest.raises(Refusal) as caught:
        issue_one(**kwargs)
    return caught.value.code


class TestAvailability:
    def test_open_in_the_morning(self):
        assert availability(site(), service(), MONDAY_9AM, 0) is None

    @pytest.mark.parametrize("now", [MONDAY_OPENS, MONDAY_CLOSES - timedelta(seconds=1)])
    def test_window_edges_inclusive_start_exclusive_end(self, now: datetime):
        assert availability(site(), service(), now, 0) is None

    @pytest.mark.parametrize("now", [MONDAY_EARLY, MONDAY_LUNCH, MONDAY_CLOSES, SUNDAY_9AM])
    def test_closed_outside_hours(self, now: datetime):
        assert availability(site(), service(), now, 0) is ClosedReason.HOURS

    def test_saturday_morning_is_open_by_default(self):
        assert availability(site(), service(), SATURDAY_9AM, 0) is None

    def test_service_hours_override_site_hours(self):
        mornings = OpeningHours(windows=((time(7, 30), time(11, 0)),), weekdays=frozenset({6}))
        assert availability(site(), service(hours=mornings), SUNDAY_9AM, 0) is None
        assert availability(site(), service(hours=mornings), MONDAY_9AM, 0) is ClosedReason.HOURS

    def test_site_time_zone_decides_the_hours(self):
        # 09:00 in Ho Chi Minh City is 02:00 in UTC: closed for a site kept in UTC.
        assert availability(site(time_zone="UTC"), service(), MONDAY_9AM, 0) is ClosedReason.HOURS

    def test_disabled_wins(self):
        assert (
            availability(site(), service(enabled=False, daily_quota=1), MONDAY_LUNCH, 5)
            is ClosedReason.DISABLED
        )

    def test_quota(self):
        assert availability(site(), service(daily_quota=3), MONDAY_9AM, 2) is None
        assert availability(site(), service(daily_quota=3), MONDAY_9AM, 3) is ClosedReason.QUOTA
        # Sold out is worth saying at lunch time too: the service will not reopen today.
        assert availability(site(), service(daily_quota=3), MONDAY_LUNCH, 3) is ClosedReason.QUOTA

    def test_a_used_up_number_block_is_a_quota(self):
        block = service(number_format=NumberFormat(kind="block", start=1001, end=1010))
        assert availability(site(), block, MONDAY_9AM, 9) is None
        assert availability(site(), block, MONDAY_9AM, 10) is ClosedReason.QUOTA


class TestIssue:
    def test_a_waiting_ticket_and_its_event(self):
        new, event = issue_one(estimate_s=300, priority="elderly", language="en")
        assert new.id == "t1"
        assert new.site == "hcm-main"
        assert new.service == "A"
        assert new.number == "A001"
        assert new.seq == 1
        assert new.status is TicketStatus.WAITING
        assert new.business_day == MONDAY_9AM.date()
        assert new.issued_at == new.queue_at == MONDAY_9AM
        assert new.priority == "elderly"
        assert new.language == "en"
        assert new.estimate_s == 300
        assert new.outcome is None
        assert event.ticket_id == "t1"
        assert event.kind == "issued"
        assert event.at == MONDAY_9AM
        assert event.actor == "kiosk-1"
        assert event.data == {
            "number": "A001",
            "service": "A",
            "seq": 1,
            "priority": "elderly",
            "estimate_s": 300,
        }

    def test_block_numbering(self):
        block = service(number_format=NumberFormat(kind="block", start=1001, end=1999))
        new, _ = issue_one(service=block, seq=23, issued_today=22)
        assert new.number == "1023"

    def test_business_day_is_local(self):
        # 00:30 local on Tuesday is still 17:30 UTC on Monday.
        evening = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
        always = OpeningHours(windows=((time(0, 0), time(23, 59)),), weekdays=frozenset(range(7)))
        new, _ = issue_one(service=service(hours=always), now=evening)
        assert new.business_day.isoformat() == "2026-11-24"

    def test_refusals_for_closed_services(self):
        assert refusal_code(service=service(enabled=False)) == "service_disabled"
        assert refusal_code(now=MONDAY_LUNCH) == "outside_hours"
        assert refusal_code(service=service(daily_quota=2), issued_today=2, seq=3) == (
            "quota_reached"
        )

    def test_seq_past_the_block_is_refused_even_if_the_count_lags(self):
        block = service(number_format=NumberFormat(kind="block", start=1001, end=1002))
        assert refusal_code(service=block, seq=3, issued_today=1) == "quota_reached"

    def test_unknown_priority(self):
        with pytest.raises(Refusal) as caught:
            issue_one(priority="vip")
        assert caught.value.code == "unknown_priority"
        assert caught.value.details == {"priority": "vip"}

    def test_one_active_ticket_per_citizen_and_service(self):
        held = ticket("old", "A", 4, citizen_key="k1", status=TicketStatus.CALLED)
        with pytest.raises(Refusal) as caught:
            issue_one(citizen_key="k1", citizen_tickets_today=[held])
        assert caught.value.code == "citizen_active_ticket"
        assert caught.value.details == {"number": "A004", "service": "A"}

    def test_a_finished_ticket_or_another_service_does_not_block(self):
        done = ticket("old", "A", 4, citizen_key="k1", status=TicketStatus.DONE)
        other = ticket("b", "B", 1, citizen_key="k1")
        new, _ = issue_one(citizen_key="k1", citizen_tickets_today=[done, other])
        assert new.citizen_key == "k1"

    def test_daily_limit(self):
        done = [
            ticket(f"t{i}", "B", i, citizen_key="k1", status=TicketStatus.DONE) for i in range(1, 4)
        ]
        with pytest.raises(Refusal) as caught:
            issue_one(
                site=site(max_tickets_per_citizen_day=3),
                citizen_key="k1",
                citizen_tickets_today=done,
            )
        assert caught.value.code == "citizen_daily_limit"
        assert caught.value.details == {"limit": 3}
        issue_one(
            site=site(max_tickets_per_citizen_day=4), citizen_key="k1", citizen_tickets_today=done
        )

    def test_transfers_are_not_new_visits(self):
        first = ticket("t1", "B", 1, citizen_key="k1", status=TicketStatus.TRANSFERRED)
        moved = replace(
            first, id="t2", service="C", transferred_from="t1", status=TicketStatus.DONE
        )
        issue_one(
            site=site(max_tickets_per_citizen_day=2),
            citizen_key="k1",
            citizen_tickets_today=[first, moved],
        )

    def test_only_this_citizen_and_this_day_count(self):
        someone_else = ticket("x", "A", 1, citizen_key="k2")
        yesterday = ticket(
            "y", "A", 2, citizen_key="k1", business_day=(MONDAY_9AM - timedelta(days=1)).date()
        )
        new, _ = issue_one(
            site=site(max_tickets_per_citizen_day=1),
            citizen_key="k1",
            citizen_tickets_today=[someone_else, yesterday],
        )
        assert new.status is TicketStatus.WAITING

    def test_no_citizen_key_no_limits(self):
        held = ticket("old", "A", 4, citizen_key=None)
        issue_one(citizen_tickets_today=[held])

    def test_naive_now_is_a_programming_error(self):
        with pytest.raises(ValueError, match="aware"):
            issue_one(now=datetime(2026, 11, 23, 9, 0))

    def test_counter_issued_ticket_keeps_actor(self):
        _, event = issue_one(actor=counter().id)
        assert event.actor == "c1"
