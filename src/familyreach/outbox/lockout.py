"""Telling people when sign-in is locked after repeated failures.

The account's owner learns that someone tried their account (so a real attack is reported, and
a forgotten password is not a mystery); managers learn of every lockout, including an address
trying many usernames, which no single owner would notice.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.outbox.notify import Kind, send_email


def _minutes() -> int:
    return round(float(settings.AXES_COOLOFF_TIME) * 60)


def _first_time(*parts: object) -> bool:
    key = "lockout-told:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return bool(cache.add(key, True, timeout=max(_minutes(), 1) * 60))


def lockout_notify(*, username: str, address: str | None) -> int:
    """Email the account's owner (when the username is an account with an email) once per
    lockout period, and every active manager once per period for the username or the address,
    whichever is new (an address guessing many usernames is one report, not hundreds).
    Returns how many messages were queued."""
    minutes = _minutes()
    owner = User.objects.filter(username=username, is_active=True).exclude(email="").first()
    sent = 0
    if owner is not None and _first_time("owner", owner.pk):
        send_email(
            to=owner.email,
            subject="Sign-in to your familyreach account was locked",
            body=(
                f"Someone entered the wrong password for your account ({owner.username}) "
                f"{settings.AXES_FAILURE_LIMIT} times, so signing in is locked for {minutes} "
                "minutes.\n\nIf this was you, wait and try again, or ask your manager to reset "
                "your password. If it was not you, tell your manager today: someone may be "
                "trying to get into your account."
            ),
            kind=Kind.GENERAL,
        )
        sent += 1
    new_username = _first_time("managers-username", username)
    new_address = _first_time("managers-address", address)
    if not (new_username and new_address):
        return sent
    managers = (
        User.objects.filter(groups__name=Role.MANAGER.value, is_active=True)
        .exclude(email="")
        .filter(~Q(pk=owner.pk) if owner else Q())
        .distinct()
    )
    # The username is shown only when it is a real account: a guessed one may be a password
    # typed into the wrong box.
    who = f"the account {owner.username}" if owner else "a username that is not an account"
    for manager in managers:
        send_email(
            to=manager.email,
            subject="A familyreach sign-in was locked after repeated failures",
            body=(
                f"Signing in to {who} was locked for {minutes} minutes after "
                f"{settings.AXES_FAILURE_LIMIT} failed attempts"
                + (f", from the address {address}" if address else "")
                + ".\n\nMany of these in a short time can mean someone is guessing passwords. "
                "Lockouts are listed in the admin under Axes: access attempts."
            ),
            kind=Kind.GENERAL,
        )
        sent += 1
    return sent


def on_user_locked_out(
    sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    # django-axes sends this on reaching the limit and again on every failure while locked;
    # lockout_notify tells each person once per lockout period.
    lockout_notify(username=username or "", address=ip_address)
