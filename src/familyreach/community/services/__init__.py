"""Writes for the community app: one function per change of state, each atomic and validated.

Writes are audited by django-auditlog (models registered in `audit.py`); messages go through the
shared notify client (`familyreach.outbox.notify`).

One module per part: `supporters`, `matches`, `safeguarding`, `groups`, `rooms`."""
