"""The offline API: what a device downloads, and the sync rules (replay, merge, conflict,
duplicates, access). Through the real views with a signed-in test client."""

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.delivery.models import Attendance, Booking, Occurrence, Visit
from familyreach.delivery.services import register_close, visit_schedule
from familyreach.families.models import Family
from familyreach.offline.models import OfflineChange
from familyreach.offline.selectors import copy_token

pytestmark = pytest.mark.django_db

KEY = "/staff/api/offline/key"
DOWNLOAD = "/staff/api/offline/download"
SYNC = "/staff/api/offline/sync"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sync(client: Client, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(SYNC, json.dumps({"changes": list(changes)}), "application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]  # type: ignore[no-any-return]


def _at(minutes_ago: int) -> str:
    return (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()


def _mark(
    occurrence: Occurrence, family: Family, attended: bool, minutes_ago: int
) -> dict[str, Any]:
    return {
        "key": str(uuid.uuid4()),
        "kind": "mark",
        "occurrence_id": occurrence.pk,
        "family_id": family.pk,
        "attended": attended,
        "made_at": _at(minutes_ago),
    }


def _book(occurrence: Occurrence, family: Family) -> None:
    Booking.objects.create(
        occurrence=occurrence, family=family, status="confirmed", channel="staff"
    )


@pytest.fixture
def visit(family_worker: User, yarmouth_family: Family) -> Visit:
    return visit_schedule(
        user=family_worker,
        family=yarmouth_family,
        worker=family_worker,
        kind="home_visit",
        scheduled_at=timezone.now() + timedelta(days=1),
        purpose="Settling in",
    )


def test_the_download_holds_the_next_7_days_of_own_sessions_and_visits_each_read_audited(
    family_worker: User, baby_group: Any, yarmouth_family: Family, visit: Visit
) -> None:
    today = timezone.localdate()
    # A weekly session: one date in the next 7 days (today's or later), and dates after them.
    (this_week,) = baby_group.occurrences.filter(
        date__gte=today, date__lte=today + timedelta(days=6)
    )
    assert baby_group.occurrences.filter(date__gt=today + timedelta(days=6)).exists()
    _book(this_week, yarmouth_family)
    family_type = ContentType.objects.get_for_model(Family)
    reads_before = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, content_type=family_type, object_pk=str(yarmouth_family.pk)
    ).count()
    client = _client(family_worker)
    assert client.get(KEY).json()["user_id"] == family_worker.pk
    bundle = client.get(DOWNLOAD).json()
    assert [s["id"] for s in bundle["sessions"]] == [this_week.pk]
    (row,) = bundle["sessions"][0]["families"]
    assert row["name"] == "Amy Smith"
    assert row["children"][0]["first_name"] == "Ben"
    assert "No photographs" in row["flags"]
    assert row["booked"] is True
    assert row["attended"] is False
    # Expected as the online register expects them: the carer, and the family's children.
    assert (row["adults"], row["children_count"]) == (1, 1)
    assert [v["id"] for v in bundle["visits"]] == [visit.pk]
    assert bundle["visits"][0]["where"] == "1 Test Street, NR30 1NE"
    assert (
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS,
            content_type=family_type,
            object_pk=str(yarmouth_family.pk),
        ).count()
        > reads_before
    )


def test_a_replayed_change_changes_nothing(
    family_worker: User, next_occurrence: Occurrence, yarmouth_family: Family
) -> None:
    _book(next_occurrence, yarmouth_family)
    client = _client(family_worker)
    change = _mark(next_occurrence, yarmouth_family, True, 5)
    (first,) = _sync(client, change)
    (again,) = _sync(client, change)
    assert first["outcome"] == "applied"
    assert first["replayed"] is False
    assert again["outcome"] == "applied"
    assert again["replayed"] is True
    assert Attendance.objects.filter(occurrence=next_occurrence).count() == 1
    assert OfflineChange.objects.count() == 1


@pytest.mark.parametrize("attended_first", [True, False])
@pytest.mark.parametrize("a_syncs_first", [True, False])
def test_two_devices_marking_one_register_merge_the_same_in_either_order(
    family_worker: User,
    make_user: Callable[..., User],
    next_occurrence: Occurrence,
    yarmouth_family: Family,
    register_family: Callable[..., Family],
    attended_first: bool,
    a_syncs_first: bool,
) -> None:
    """Marks of different families are a union; for one family the latest mark wins."""
    other = register_family("Cara", last_name="Cole", child="Dot", dob=date(2025, 5, 5))
    _book(next_occurrence, yarmouth_family)
    _book(next_occurrence, other)
    colleague = make_user(Role.FAMILY_WORKER, district_code="E07000145")
    next_occurrence.session.staff.add(colleague)
    # Device A ticks Amy (earlier or later than device B unticks her) and ticks Cara.
    a_changes = [
        _mark(next_occurrence, yarmouth_family, True, 20 if attended_first else 10),
        _mark(next_occurrence, other, True, 15),
    ]
    b_changes = [_mark(next_occurrence, yarmouth_family, False, 10 if attended_first else 20)]
    devices = [(_client(family_worker), a_changes), (_client(colleague), b_changes)]
    for client, changes in devices if a_syncs_first else reversed(devices):
        _sync(client, *changes)
    here = set(
        Attendance.objects.filter(occurrence=next_occurrence).values_list("family_id", flat=True)
    )
    assert here == ({other.pk} if attended_first else {other.pk, yarmouth_family.pk})


def test_not_attended_wins_a_tie(
    family_worker: User, next_occurrence: Occurrence, yarmouth_family: Family
) -> None:
    _book(next_occurrence, yarmouth_family)
    client = _client(family_worker)
    moment = _at(3)
    for attended in (False, True):
        _sync(client, {**_mark(next_occurrence, yarmouth_family, attended, 0), "made_at": moment})
    assert not Attendance.objects.filter(occurrence=next_occurrence).exists()


def test_a_visit_recorded_on_two_devices_is_a_conflict_shown_never_overwritten(
    family_worker: User, visit: Visit
) -> None:
    client = _client(family_worker)
    version = client.get(DOWNLOAD).json()["visits"][0]["version"]

    def outcome(notes: str, base: str) -> dict[str, Any]:
        return {
            "key": str(uuid.uuid4()),
            "kind": "visit",
            "visit_id": visit.pk,
            "status": "completed",
            "outcome_notes": notes,
            "base_version": base,
            "made_at": _at(1),
        }

    (first,) = _sync(client, outcome("Talked about sleep", version))
    (second,) = _sync(client, outcome("Talked about feeding", version))
    assert first["outcome"] == "applied"
    assert second["outcome"] == "conflict"
    assert second["theirs"]["outcome_notes"] == "Talked about sleep"
    visit.refresh_from_db()
    assert visit.outcome_notes == "Talked about sleep"
    # The worker chooses theirs: sent again against the version now seen.
    (mine,) = _sync(client, outcome("Talked about feeding", second["version"]))
    assert mine["outcome"] == "applied"
    visit.refresh_from_db()
    assert visit.outcome_notes == "Talked about feeding"
    # The same words again are no conflict, whatever the version.
    (same,) = _sync(client, outcome("Talked about feeding", version))
    assert same["outcome"] == "merged"


def _walk_in(occurrence: Occurrence, **fields: Any) -> dict[str, Any]:
    return {
        "key": str(uuid.uuid4()),
        "kind": "walk_in",
        "occurrence_id": occurrence.pk,
        "made_at": _at(2),
        "carer_first_name": "Wendy",
        "carer_last_name": "Walker",
        "child_first_name": "Will",
        "child_date_of_birth": "2025-02-02",
        "postcode": "NR30 1NE",
        "adults": 1,
        "children": 1,
        "consent": True,
        **fields,
    }


def test_a_walk_in_like_a_registered_family_is_flagged_for_the_worker_to_merge(
    family_worker: User, next_occurrence: Occurrence, yarmouth_family: Family
) -> None:
    client = _client(family_worker)
    (result,) = _sync(
        client, _walk_in(next_occurrence, child_first_name="Ben", child_date_of_birth="2025-03-01")
    )
    assert result["outcome"] == "applied"
    assert result["needs_duplicate_review"] is True
    walk_in = Family.objects.get(pk=result["family_id"])
    assert walk_in.needs_duplicate_review
    assert walk_in.merged_into is None
    assert Attendance.objects.get(occurrence=next_occurrence, family=walk_in).is_walk_in
    page = client.get("/staff/offline/walk-ins")
    assert f"/staff/families/{walk_in.pk}" in page.content.decode()


def test_a_walk_in_without_consent_is_refused_and_records_nothing(
    family_worker: User, next_occurrence: Occurrence
) -> None:
    (result,) = _sync(_client(family_worker), _walk_in(next_occurrence, consent=False))
    assert result["outcome"] == "refused"
    assert not Family.objects.filter(carers__first_name="Wendy").exists()
    assert not OfflineChange.objects.exists()


def test_a_mark_for_a_register_closed_since_is_a_conflict(
    family_worker: User, past_occurrence: Occurrence, yarmouth_family: Family
) -> None:
    _book(past_occurrence, yarmouth_family)
    register_close(user=family_worker, occurrence=past_occurrence)
    (result,) = _sync(_client(family_worker), _mark(past_occurrence, yarmouth_family, True, 1))
    assert result["outcome"] == "conflict"
    assert not Attendance.objects.filter(occurrence=past_occurrence).exists()


def test_no_one_marks_a_register_they_do_not_run_or_a_family_not_on_it(
    family_worker: User,
    make_user: Callable[..., User],
    next_occurrence: Occurrence,
    yarmouth_family: Family,
    norwich_family: Family,
) -> None:
    _book(next_occurrence, yarmouth_family)
    stranger = make_user(Role.FAMILY_WORKER, district_code="E07000145")
    (theirs,) = _sync(_client(stranger), _mark(next_occurrence, yarmouth_family, True, 1))
    (not_on_it,) = _sync(_client(family_worker), _mark(next_occurrence, norwich_family, True, 1))
    assert theirs["outcome"] == not_on_it["outcome"] == "refused"
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("role", [Role.PLANNER, Role.COMMUNITY_GROUP_ADMIN])
def test_roles_without_family_records_are_refused_and_told_to_wipe(
    make_user: Callable[..., User], role: Role
) -> None:
    client = _client(make_user(role, district_code="E07000145"))
    for response in (
        client.get(KEY),
        client.get(DOWNLOAD),
        client.post(SYNC, "{}", "application/json"),
    ):
        assert response.status_code == 403
        assert response.json()["wipe"] is True
    assert client.get("/staff/offline/").status_code == 403


def test_signed_out_keeps_the_copy_and_a_disabled_account_wipes_it(family_worker: User) -> None:
    assert Client().get(KEY).status_code == 401
    client = _client(family_worker)
    assert client.get(KEY).status_code == 200
    family_worker.is_active = False
    family_worker.save()
    response = client.get(KEY)
    assert response.status_code == 403
    assert response.json()["wipe"] is True


def test_a_worker_without_a_district_cannot_work_offline(make_user: Callable[..., User]) -> None:
    assert _client(make_user(Role.FAMILY_WORKER)).get(KEY).status_code == 403


def test_the_key_stays_the_same_for_a_session(family_worker: User) -> None:
    client = _client(family_worker)
    assert client.get(KEY).json()["key"] == client.get(KEY).json()["key"]
    assert _client(family_worker).get(KEY).json()["key"] != client.get(KEY).json()["key"]


def test_signing_out_tells_the_browser_to_clear_the_sites_storage(family_worker: User) -> None:
    response = _client(family_worker).post("/staff/sign-out")
    assert response["Clear-Site-Data"] == '"storage"'


def test_the_service_worker_is_served_for_the_offline_pages_scope(client: Client) -> None:
    response = client.get("/staff/offline/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"/staff/api/" in response.content


def test_a_bad_change_is_refused_without_a_500(family_worker: User) -> None:
    client = _client(family_worker)
    results = _sync(
        client,
        {"kind": "mark"},
        "nonsense",
        {"key": str(uuid.uuid4()), "kind": "x", "made_at": _at(1)},
    )
    assert [r["outcome"] for r in results] == ["refused", "refused", "refused"]
    assert client.post(SYNC, "not json", "application/json").status_code == 400


def test_made_at_in_the_future_counts_as_now(
    family_worker: User, next_occurrence: Occurrence, yarmouth_family: Family
) -> None:
    _book(next_occurrence, yarmouth_family)
    client = _client(family_worker)
    future = (timezone.now() + timedelta(days=30)).isoformat()
    _sync(client, {**_mark(next_occurrence, yarmouth_family, True, 0), "made_at": future})
    change = OfflineChange.objects.get()
    assert change.made_at <= timezone.now()
    assert isinstance(change.made_at, datetime)


def test_a_booked_familys_headcount_comes_from_the_booking_and_then_the_register(
    family_worker: User, baby_group: Any, register_family: Callable[..., Family]
) -> None:
    today = timezone.localdate()
    (this_week,) = baby_group.occurrences.filter(
        date__gte=today, date__lte=today + timedelta(days=6)
    )
    twins = register_family("Tess", last_name="Twin", child="Tom", dob=date(2024, 4, 4))
    twins.children.create(first_name="Tim", date_of_birth=date(2024, 4, 4))
    _book(this_week, twins)
    client = _client(family_worker)

    def row() -> dict[str, Any]:
        bundle = client.get(DOWNLOAD).json()
        (session,) = [s for s in bundle["sessions"] if s["id"] == this_week.pk]
        return session["families"][0]  # type: ignore[no-any-return]

    assert (row()["adults"], row()["children_count"]) == (1, 2)
    _sync(client, {**_mark(this_week, twins, True, 1), "adults": 2, "children": 2})
    assert (row()["adults"], row()["children_count"]) == (2, 2)


def test_a_volunteer_takes_first_names_of_who_is_coming_read_only(
    session_volunteer: User,
    make_user: Callable[..., User],
    baby_group: Any,
    yarmouth_family: Family,
    visit: Visit,
) -> None:
    """The same as their online page (delivery.volunteer_register): the sessions they help at,
    first names only; nothing to send; walk-ins and visits are not theirs."""
    today = timezone.localdate()
    (this_week,) = baby_group.occurrences.filter(
        date__gte=today, date__lte=today + timedelta(days=6)
    )
    _book(this_week, yarmouth_family)
    client = _client(session_volunteer)
    assert client.get(KEY).status_code == 200
    bundle = client.get(DOWNLOAD).json()
    assert bundle["read_only"] is True
    assert bundle["visits"] == []
    (session,) = bundle["sessions"]
    assert session["read_only"] is True
    assert session["families"] == [
        {"name": "Amy", "children": [{"first_name": "Ben", "age": ""}], "flags": [], "booked": True}
    ]
    text = json.dumps(bundle)
    for withheld in ("Smith", "NR30", "Test Street", "No photographs"):
        assert withheld not in text
    refused = client.post(SYNC, json.dumps({"changes": []}), "application/json")
    assert refused.status_code == 403
    assert refused.json()["wipe"] is False
    assert client.get("/staff/offline/walk-ins").status_code == 403
    assert client.get("/staff/offline/").status_code == 200
    # A volunteer who does not help at the session takes nothing of it.
    other = _client(make_user(Role.VOLUNTEER))
    assert other.get(DOWNLOAD).json()["sessions"] == []


def _copy_made(client: Client, days_ago: int) -> str:
    """A download's copy token, as if the copy had been made `days_ago` days ago."""
    user = User.objects.get(pk=client.get(KEY).json()["user_id"])
    made_at = timezone.now() - timedelta(days=days_ago)
    return copy_token(user=user, made_at=made_at, session_key=client.session.session_key or "")


def test_the_server_refuses_a_copy_older_than_7_days_whatever_the_device_clock(
    family_worker: User,
    make_user: Callable[..., User],
    next_occurrence: Occurrence,
    yarmouth_family: Family,
) -> None:
    _book(next_occurrence, yarmouth_family)
    client = _client(family_worker)
    fresh = client.get(DOWNLOAD).json()["copy_token"]
    assert client.get(KEY, headers={"X-Offline-Copy": fresh}).status_code == 200
    stale = _copy_made(client, 8)
    for response in (
        client.get(KEY, headers={"X-Offline-Copy": stale}),
        client.get(DOWNLOAD, headers={"X-Offline-Copy": stale}),
        client.post(
            SYNC,
            json.dumps({"changes": [_mark(next_occurrence, yarmouth_family, True, 1)]}),
            "application/json",
            headers={"X-Offline-Copy": stale},
        ),
    ):
        assert response.status_code == 403
        assert response.json()["wipe"] is True
        assert response.json()["error"] == "copy too old"
        assert "nothing in it was sent" in response.json()["message"]
    assert not Attendance.objects.exists()
    assert not OfflineChange.objects.exists()
    # A change made more than 7 days ago was made on a copy at least that old: refused too.
    (old,) = _sync(client, _mark(next_occurrence, yarmouth_family, True, 8 * 24 * 60))
    assert old["outcome"] == "refused"
    assert "more than 7 days ago" in old["message"]
    assert not Attendance.objects.exists()
    # Another account's copy, or a forged one, cannot be vouched for either.
    assert client.get(KEY, headers={"X-Offline-Copy": fresh + "x"}).status_code == 403
    colleague = _client(make_user(Role.FAMILY_WORKER, district_code="E07000145"))
    assert colleague.get(KEY).status_code == 200
    assert colleague.get(KEY, headers={"X-Offline-Copy": fresh}).status_code == 403


def test_an_ended_session_wipes_a_device_holding_a_copy(family_worker: User) -> None:
    """Timed out: the key endpoint refuses a device holding a copy as it refuses a disabled
    account (403, wipe). Signed in again, the old session's copy is refused the same way; the
    device then asks without it and takes a fresh copy."""
    client = _client(family_worker)
    copy = client.get(DOWNLOAD).json()["copy_token"]
    Session.objects.all().delete()  # as the idle limit does: the session is gone
    holding = client.get(KEY, headers={"X-Offline-Copy": copy})
    assert holding.status_code == 403
    assert holding.json()["error"] == "session ended"
    assert holding.json()["wipe"] is True
    assert client.get(KEY).status_code == 401  # nothing kept: nothing to wipe
    client.force_login(family_worker)
    again = client.get(KEY, headers={"X-Offline-Copy": copy})
    assert (again.status_code, again.json()["error"]) == (403, "session ended")
    fresh = client.get(DOWNLOAD).json()["copy_token"]
    assert client.get(KEY, headers={"X-Offline-Copy": fresh}).status_code == 200


def test_the_device_key_comes_back_only_to_the_same_account_signed_in_again(
    family_worker: User, make_user: Callable[..., User]
) -> None:
    device = "a-random-device-id-0123456789"
    first = _client(family_worker).get(KEY, {"device": device}).json()["key"]
    again = _client(family_worker).get(KEY, {"device": device}).json()["key"]
    colleague = make_user(Role.FAMILY_WORKER, district_code="E07000145")
    theirs = _client(colleague).get(KEY, {"device": device}).json()["key"]
    other_device = _client(family_worker).get(KEY, {"device": device + "x"}).json()["key"]
    assert first == again
    assert len({first, theirs, other_device}) == 3
