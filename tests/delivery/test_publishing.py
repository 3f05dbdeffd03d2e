"""Every session is listed in the directory (one source of truth), and kept in step."""

from datetime import date

from familyreach.accounts.models import User
from familyreach.delivery.models import Session
from familyreach.delivery.publishing import SOURCE, source_reference
from familyreach.delivery.services import SessionDetails, session_update
from familyreach.directory.models import Service


def test_a_session_is_published_and_republished_not_duplicated(
    baby_group: Session, family_worker: User
) -> None:
    service = Service.objects.get(source=SOURCE, source_reference=source_reference(baby_group))
    assert service.name == "Baby group"
    schedule = service.schedules.get()
    assert schedule.freq == "WEEKLY"
    assert (
        schedule.byday
        == ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][baby_group.start_date.weekday()]
        or schedule.byday
    )
    assert service.service_at_locations.get().location.venue == baby_group.venue
    details = SessionDetails(
        title="Baby and me",
        category="baby_group",
        venue=baby_group.venue,
        capacity=8,
        start_date=baby_group.start_date,
        start_time=baby_group.start_time,
        end_time=baby_group.end_time,
        recurrence="fortnightly",
        end_date=date(2030, 1, 1),
    )
    session_update(
        user=family_worker,
        session=baby_group,
        details=details,
        staff=[family_worker],
        volunteers=[],
    )
    assert Service.objects.filter(source=SOURCE).count() == 1
    service.refresh_from_db()
    assert service.name == "Baby and me"
    assert service.schedules.get().interval == 2
