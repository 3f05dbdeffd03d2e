"""Sign in, sign out, lockout, demo accounts and two-factor authentication."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.accounts.services import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_accounts_ensure
from tests.conftest import STAFF_PASSWORD


def sign_in(client: Client, username: str, password: str) -> object:
    return client.post("/staff/sign-in", {"username": username, "password": password})


@pytest.mark.django_db
def test_a_staff_url_sends_an_anonymous_user_to_sign_in(client: Client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/sign-in?next=/staff/"


@pytest.mark.django_db
def test_sign_in_and_sign_out(client: Client, planner: User) -> None:
    response = sign_in(client, planner.username, STAFF_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    staff_page = client.get("/staff/")
    assert staff_page.status_code == 200
    assert "Commissioner or planner" in staff_page.content.decode()

    signed_out = client.post("/staff/sign-out")
    assert signed_out.status_code == 302
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_sign_out_refuses_get(client: Client, planner: User) -> None:
    client.force_login(planner)
    assert client.get("/staff/sign-out").status_code == 405
    assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_wrong_password_shows_a_govuk_error_summary(client: Client, planner: User) -> None:
    response = sign_in(client, planner.username, "not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password" in html
    assert "<title>Error: Sign in" in html


@pytest.mark.django_db
def test_empty_sign_in_names_each_missing_field(client: Client) -> None:
    html = sign_in(client, "", "").content.decode()
    assert "Enter your username" in html
    assert "Enter your password" in html
    assert 'href="#id_username"' in html


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_with_the_right_password(
    client: Client, planner: User
) -> None:
    for _ in range(5):
        sign_in(client, planner.username, "wrong-password")
    locked = sign_in(client, planner.username, STAFF_PASSWORD)
    assert locked.status_code == 429
    assert "Your account is locked" in locked.content.decode()
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_four_failures_do_not_lock(client: Client, planner: User) -> None:
    for _ in range(4):
        sign_in(client, planner.username, "wrong-password")
    assert sign_in(client, planner.username, STAFF_PASSWORD).status_code == 302


@pytest.mark.django_db
@override_settings(DEMO_MODE=True)
def test_demo_accounts_sign_in_in_demo_mode(client: Client) -> None:
    demo_accounts_ensure()
    demo_accounts_ensure()  # idempotent
    assert get_user_model().objects.filter(is_demo_account=True).count() == len(DEMO_ACCOUNTS)
    for username, role, _ in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.roles == {role}
    assert sign_in(client, "demo-manager", DEMO_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_demo_accounts_are_refused_outside_demo_mode(client: Client) -> None:
    with override_settings(DEMO_MODE=True):
        demo_accounts_ensure()
    response = sign_in(client, "demo-planner", DEMO_PASSWORD)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


@pytest.mark.django_db
def test_demo_accounts_cannot_be_created_outside_demo_mode() -> None:
    with pytest.raises(PermissionError, match="FAMILYREACH_DEMO_MODE"):
        demo_accounts_ensure()


@pytest.mark.django_db
@override_settings(REQUIRE_TWO_FACTOR=True)
def test_family_data_roles_must_set_up_two_factor(
    client: Client, make_user: Callable[..., User]
) -> None:
    worker = make_user(Role.FAMILY_WORKER)
    sign_in(client, worker.username, STAFF_PASSWORD)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/two-factor")

    setup_page = client.get("/staff/two-factor")
    assert "Set up two-factor authentication" in setup_page.content.decode()
    device = TOTPDevice.objects.get(user=worker)
    wrong = client.post("/staff/two-factor", {"token": "000000"})
    if totp(device.bin_key) == 0:  # pragma: no cover - one chance in a million
        pytest.fail("the current TOTP code happened to be 000000; rerun")
    assert wrong.status_code == 400
    assert "wrong or has expired" in wrong.content.decode()

    too_soon = client.post("/staff/two-factor", {"token": "000000"})
    assert "Too many wrong codes" in too_soon.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # as if the back-off had passed

    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    verified = client.post("/staff/two-factor", {"token": code, "next": "/staff/"})
    assert verified.status_code == 302
    assert client.get("/staff/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.django_db
@override_settings(REQUIRE_TWO_FACTOR=True)
@pytest.mark.parametrize("role", list(Role))
def test_every_role_must_set_up_two_factor(
    client: Client, make_user: Callable[..., User], role: Role
) -> None:
    user = make_user(role)
    sign_in(client, user.username, STAFF_PASSWORD)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/two-factor")


@pytest.mark.django_db
def test_without_the_requirement_no_role_is_sent_to_two_factor(
    client: Client, planner: User
) -> None:
    sign_in(client, planner.username, STAFF_PASSWORD)
    assert client.get("/staff/").status_code == 200


def _sign_in_from(address: str, username: str, password: str) -> object:
    return Client(REMOTE_ADDR=address).post(
        "/staff/sign-in", {"username": username, "password": password}
    )


@pytest.mark.django_db
def test_a_new_address_brings_no_new_guesses(planner: User) -> None:
    for n in range(5):
        _sign_in_from(f"203.0.113.{n + 1}", planner.username, "wrong-password")
    locked = _sign_in_from("198.51.100.9", planner.username, STAFF_PASSWORD)
    assert locked.status_code == 429  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_one_address_trying_many_usernames_is_locked(
    make_user: Callable[..., User],
) -> None:
    for n in range(5):
        _sign_in_from("203.0.113.50", f"guess-{n}", "wrong-password")
    someone = make_user(Role.FAMILY_WORKER)
    locked = _sign_in_from("203.0.113.50", someone.username, STAFF_PASSWORD)
    assert locked.status_code == 429  # type: ignore[attr-defined]
    # Another address is not affected by that address's lockout.
    assert _sign_in_from("198.51.100.9", someone.username, STAFF_PASSWORD).status_code == 302  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_ipv6_guesses_count_per_64(planner: User) -> None:
    for n in range(5):
        _sign_in_from(f"2001:db8:5:6::{n + 1:x}", f"guess-{n}", "wrong-password")
    locked = _sign_in_from("2001:db8:5:6:ffff::1", planner.username, STAFF_PASSWORD)
    assert locked.status_code == 429  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_lockout_tells_the_owner_and_managers_once(
    make_user: Callable[..., User],
) -> None:
    from tests.fixtures.outbox import stored_messages

    owner = make_user(Role.FAMILY_WORKER, email="worker@example.org")
    make_user(Role.MANAGER, email="manager@example.org")
    for n in range(8):  # beyond the limit: still one message each
        _sign_in_from(f"203.0.113.{n + 1}", owner.username, "wrong-password")
    messages = stored_messages()
    to = sorted(message.to for message in messages)
    assert to == ["manager@example.org", "worker@example.org"]
    to_owner = next(m for m in messages if m.to == "worker@example.org")
    assert "wrong password for your account" in to_owner.body
    assert "wrong-password" not in to_owner.body


@pytest.mark.django_db
def test_an_address_guessing_many_usernames_is_one_report(
    make_user: Callable[..., User],
) -> None:
    from tests.fixtures.outbox import stored_messages

    make_user(Role.MANAGER, email="manager@example.org")
    for n in range(12):
        _sign_in_from("203.0.113.60", f"guess-{n}", "wrong-password")
    assert [m.to for m in stored_messages()] == ["manager@example.org"]


@pytest.mark.django_db
def test_a_staff_session_ends_after_30_idle_minutes_and_with_the_browser(
    client: Client, planner: User
) -> None:
    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, planner.username, STAFF_PASSWORD)
        cookie = client.cookies["sessionid"]
        assert cookie["expires"] == ""  # a browser-session cookie: gone when the browser closes
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert client.get("/staff/").status_code == 200  # activity moves the 30 minutes on
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert client.get("/staff/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=81), tick=False):
        response = client.get("/staff/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/sign-in")
