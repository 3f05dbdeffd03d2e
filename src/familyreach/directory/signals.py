"""Hooks other domains connect to.

`support_request_accepted` is sent (inside the accepting transaction, after the state change)
with `sender=SupportRequest`, `support_request=<SupportRequest>`, `user=<User>` and
`family_id=<int | None>`: the families app turns the request into a family record (or, given a
family id, links that family) and records its id on the request (`family_record_id`).
"""

from django.dispatch import Signal

support_request_accepted = Signal()
