"""Publishing sessions to the directory: the ONE place delivery talks to `directory`.

Every session is listed in the public directory automatically (one source of truth, no double
entry): each create or change calls `session_publish`, keyed on the session's id, so
publishing is idempotent.
"""

from django.db import transaction

from familyreach.delivery.models import Session


def session_publish(session: Session) -> None:
    """Create or update the session's directory listing.

    Not wired yet: the directory's `service_upsert` arrives with branch `directory`.
    """


def session_publish_on_commit(session: Session) -> None:
    transaction.on_commit(lambda: session_publish(session))
