"""In Chromium on a 390×844 phone, with the network cut (context.set_offline): a worker takes a
register with two walk-ins and records a visit without signal, reloads, reconnects and syncs
(each record once; syncing again changes nothing); two devices sync the same register in either
order; sign-out and 7 days without sync leave no family data in IndexedDB or Cache Storage.
axe finds nothing serious or critical on any view of the offline app."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session as DjangoSession
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from familyreach.accounts.models import User
from familyreach.delivery.models import Attendance, Booking, Occurrence, Session
from familyreach.delivery.services import visit_schedule
from familyreach.families.models import Family
from familyreach.offline.models import OfflineChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# Everything the origin keeps in IndexedDB and Cache Storage, as text (buffers byte by byte),
# so a test can look for a family's name in it.
READ_STORAGE = """async () => {
  const text = (value) => JSON.stringify(value, (key, v) => {
    if (v instanceof ArrayBuffer) v = new Uint8Array(v);
    if (ArrayBuffer.isView(v)) return String.fromCharCode(...new Uint8Array(v.buffer));
    if (typeof CryptoKey !== "undefined" && v instanceof CryptoKey) return "[key]";
    return v;
  });
  const out = [];
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
    });
    for (const name of db.objectStoreNames) {
      const rows = await new Promise((ok) => {
        const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result);
      });
      out.push(name + ": " + text(rows));
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      out.push(request.url + " " + await (await cache.match(request)).text());
    }
  }
  return out.join("\\n");
}"""


def _this_week(session: Session) -> Occurrence:
    today = timezone.localdate()
    return session.occurrences.get(date__gte=today, date__lte=today + timedelta(days=6))


def _open_offline_app(
    page: Page, live_server: Any, sign_in: Callable[..., None], user: User
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, user)
    page.goto(f"{live_server.url}/staff/?week={timezone.localdate().isoformat()}")
    page.get_by_role("link", name="Get ready for offline").click()
    expect(page.locator("#offline-notice")).to_contain_text("Ready for offline")
    expect(page.locator("#offline-app")).to_have_attribute("data-ready", "true")


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _add_walk_in(page: Page, carer: str, child: str, day: str) -> None:
    page.get_by_role("link", name="Add a walk-in family").click()
    page.get_by_label("Parent or carer's first name").fill(carer)
    page.get_by_label("Postcode").fill("NR30 1NE")
    page.get_by_label("Child's first name").fill(child)
    dob = page.get_by_role("group", name="Child's date of birth")
    dob.get_by_label("Day").fill(day)
    dob.get_by_label("Month").fill("2")
    dob.get_by_label("Year").fill("2025")
    page.get_by_label("I have told the family how we use and keep their information").check()
    page.get_by_role("button", name="Add and tick as here").click()
    expect(page.locator("#view-register")).to_be_visible()


def test_a_register_with_two_walk_ins_and_a_visit_recorded_without_signal_sync_once(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    family_worker: User,
    baby_group: Session,
    yarmouth_family: Family,
) -> None:
    occurrence = _this_week(baby_group)
    Booking.objects.create(
        occurrence=occurrence, family=yarmouth_family, status="confirmed", channel="staff"
    )
    visit = visit_schedule(
        user=family_worker,
        family=yarmouth_family,
        worker=family_worker,
        kind="home_visit",
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    _open_offline_app(page, live_server, sign_in, family_worker)
    assert axe(page) == []
    _no_sideways_scroll(page)
    stored = page.evaluate(READ_STORAGE)
    assert "vault" in stored
    assert "Amy" not in stored

    page.context.set_offline(True)
    expect(page.locator("#offline-connection")).to_contain_text("No signal")
    page.get_by_role("link", name="Register for Baby group").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register: Baby group")
    assert axe(page) == []
    _no_sideways_scroll(page)
    page.get_by_label("Amy Smith with Ben").check()
    page.get_by_role("link", name="Add a walk-in family").click()
    page.get_by_role("button", name="Add and tick as here").click()
    expect(page.locator("#walk-in-errors")).to_contain_text(
        "Enter the parent or carer's first name"
    )
    assert axe(page) == []
    page.get_by_role("link", name="Back to the register").click()
    _add_walk_in(page, "Wendy", "Will", "2")
    _add_walk_in(page, "Xena", "Xavi", "3")
    expect(page.locator("#offline-register-totals")).to_contain_text("3 families here")
    page.get_by_role("link", name="Back to sessions and visits").click()
    page.get_by_role("link", name="Record the visit to Amy Smith").click()
    assert axe(page) == []
    page.get_by_label("Completed").check()
    page.get_by_label("Notes").fill("Talked about sleep")
    page.get_by_role("button", name="Save visit record").click()
    expect(page.locator("#pending-count")).to_have_text("4 changes waiting to send")

    page.reload()  # still no signal: the service worker's copy of the page opens
    expect(page.locator("#offline-app")).to_have_attribute("data-ready", "true")
    expect(page.locator("#pending-count")).to_have_text("4 changes waiting to send")
    # The browser may say it is online after a reload; the office not answering says otherwise.
    expect(page.locator("#offline-connection")).to_contain_text("No signal")
    page.get_by_role("link", name="Register for Baby group").click()
    expect(page.get_by_label("Wendy with Will")).to_be_checked()
    assert not Attendance.objects.exists()

    page.context.set_offline(False)  # back online: it sends by itself (within seconds)
    expect(page.locator("#pending-count")).to_have_text("No changes waiting to send", timeout=15000)
    assert set(
        Attendance.objects.filter(occurrence=occurrence).values_list(
            "family__carers__first_name", flat=True
        )
    ) == {"Amy", "Wendy", "Xena"}
    assert Family.objects.filter(carers__first_name__in=["Wendy", "Xena"]).count() == 2
    visit.refresh_from_db()
    assert (visit.status, visit.outcome_notes) == ("completed", "Talked about sleep")
    assert OfflineChange.objects.count() == 4

    page.get_by_role("link", name="Back to sessions and visits").click()
    page.get_by_role("button", name="Get ready for offline").click()  # sync again
    expect(page.locator("#offline-notice")).to_contain_text("Ready for offline")
    assert Attendance.objects.count() == 3
    assert OfflineChange.objects.count() == 4
    assert Family.objects.count() == 3

    page.get_by_role("link", name="Walk-ins to check for duplicates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Walk-ins to check for duplicates")
    assert axe(page) == []
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Menu").click()  # the phone's collapsed navigation
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/signed-out")
    stored = page.evaluate(READ_STORAGE)
    for name in ("Amy", "Wendy", "Xena", "Talked about sleep", "NR30"):
        assert name not in stored


@pytest.mark.parametrize("first", ["phone", "tablet"])
def test_two_devices_sync_one_register_in_either_order_and_a_conflict_is_shown(
    page: Page,
    browser: Browser,
    live_server: Any,
    sign_in: Callable[..., None],
    family_worker: User,
    make_user: Callable[..., User],
    baby_group: Session,
    yarmouth_family: Family,
    register_family: Callable[..., Family],
    first: str,
) -> None:
    occurrence = _this_week(baby_group)
    cara = register_family("Cara", last_name="Cole", child="Dot")
    for family in (yarmouth_family, cara):
        Booking.objects.create(
            occurrence=occurrence, family=family, status="confirmed", channel="staff"
        )
    visit = visit_schedule(
        user=family_worker,
        family=yarmouth_family,
        worker=family_worker,
        kind="home_visit",
        scheduled_at=timezone.now() + timedelta(days=1),
    )
    tablet_context = browser.new_context(locale="en-GB", bypass_csp=True)
    tablet = tablet_context.new_page()
    devices = {"phone": page, "tablet": tablet}
    for device in devices.values():
        _open_offline_app(device, live_server, sign_in, family_worker)
        device.context.set_offline(True)
        expect(device.locator("#offline-connection")).to_contain_text("No signal")
    # The phone ticks Amy and Cara; a minute later the tablet unticks Amy (she left).
    page.get_by_role("link", name="Register for Baby group").click()
    page.get_by_label("Amy Smith with Ben").check()
    page.get_by_label("Cara Cole with Dot").check()
    tablet.get_by_role("link", name="Register for Baby group").click()
    tablet.get_by_label("Amy Smith with Ben").check()
    tablet.get_by_label("Amy Smith with Ben").uncheck()
    for device, notes in ((page, "Phone notes"), (tablet, "Tablet notes")):
        device.get_by_role("link", name="Back to sessions and visits").click()
        device.get_by_role("link", name="Record the visit to Amy Smith").click()
        device.get_by_label("Completed").check()
        device.get_by_label("Notes").fill(notes)
        device.get_by_role("button", name="Save visit record").click()
    order = [devices[first], devices["tablet" if first == "phone" else "phone"]]
    for device in order:
        device.context.set_offline(False)
        device.get_by_role("button", name="Send changes now").click()
        expect(device.locator("#pending-count")).to_have_text("No changes waiting to send")
    here = set(Attendance.objects.filter(occurrence=occurrence).values_list("family_id", flat=True))
    assert here == {cara.pk}  # the same whichever synced first
    second = order[1]
    conflict = second.locator("[data-attention=conflict]")
    expect(conflict).to_contain_text("Someone else recorded this visit")
    kept = "Phone notes" if first == "phone" else "Tablet notes"
    visit.refresh_from_db()
    assert visit.outcome_notes == kept  # never silently overwritten
    expect(second.locator("#offline-notice")).to_contain_text("1 thing needs your attention")
    conflict.get_by_role("button", name="Use mine").click()
    expect(second.locator("#offline-notice")).to_contain_text("Ready for offline")
    expect(second.locator("#pending-count")).to_have_text("No changes waiting to send")
    expect(conflict).to_have_count(0)
    visit.refresh_from_db()
    assert visit.outcome_notes != kept
    tablet_context.close()

    # A change made without signal and never sent...
    page.context.set_offline(True)
    page.get_by_role("link", name="Register for Baby group").click()
    page.get_by_label("Cara Cole with Dot").uncheck()
    page.get_by_role("link", name="Back to sessions and visits").click()
    expect(page.locator("#pending-count")).to_have_text("1 change waiting to send")
    # ...seven days later without a sync (a driven clock): the copy is gone when the app
    # opens, and the change is not lost silently: it is listed, in words, to enter online.
    page.clock.install(time=timezone.now() + timedelta(days=8))
    page.goto(f"{live_server.url}/staff/offline/")
    expect(page.locator("#offline-notice")).to_contain_text("had not been in touch")
    expect(page.locator("#offline-notice")).to_contain_text("1 change was not sent")
    expect(page.locator("#unsent")).to_contain_text("Not here: Cara Cole at Baby group")
    expect(page.locator("#pending-count")).to_have_text("No changes waiting to send")
    stored = page.evaluate(READ_STORAGE)
    for name in ("Amy", "Cara", "notes", "NR30"):
        assert name not in stored
    assert "Register for Baby group" not in page.locator("#session-list").inner_text()


def test_a_volunteer_keeps_who_is_coming_until_the_session_ends_or_the_account_is_disabled(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    session_volunteer: User,
    baby_group: Session,
    yarmouth_family: Family,
) -> None:
    """A volunteer helping at a session keeps who is coming (first names, read only, as their
    online page shows it). When the session times out, opening the app wipes the copy; when a
    manager disables the account, the device's next contact wipes it: the key is refused."""
    Booking.objects.create(
        occurrence=_this_week(baby_group),
        family=yarmouth_family,
        status="confirmed",
        channel="staff",
    )
    _open_offline_app(page, live_server, sign_in, session_volunteer)
    page.get_by_role("link", name="Who is coming to Baby group").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Who is coming: Baby group")
    expect(page.locator("#register-names")).to_have_text("Amy with Ben")
    expect(page.get_by_role("checkbox")).to_have_count(0)  # read only, as online
    assert "Smith" not in page.locator("main").inner_text()
    assert axe(page) == []
    _no_sideways_scroll(page)

    # The session times out (the idle limit): opening the app again wipes the copy.
    DjangoSession.objects.all().delete()
    page.reload()
    page.wait_for_url("**/staff/sign-in**")
    stored = page.evaluate(READ_STORAGE)
    assert "Amy" not in stored
    assert "Ben" not in stored

    # Signed in again with a fresh copy; then a manager disables the account (as the admin
    # does: is_active off) while the device is without signal. Back online, it is wiped.
    _open_offline_app(page, live_server, sign_in, session_volunteer)
    page.context.set_offline(True)
    expect(page.locator("#offline-connection")).to_contain_text("No signal")
    session_volunteer.is_active = False
    session_volunteer.save(update_fields=["is_active"])
    page.context.set_offline(False)
    expect(page.locator("#offline-notice")).to_contain_text("This account has been disabled")
    expect(page.locator("#offline-notice")).to_contain_text("The offline copy has been deleted")
    stored = page.evaluate(READ_STORAGE)
    assert "Amy" not in stored
    assert "Ben" not in stored
    expect(page.locator("#session-list")).not_to_contain_text("Baby group")
