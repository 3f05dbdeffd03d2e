"""Hooks other domains connect to.

`support_request_accepted` is sent (inside the accepting transaction, after the state change)
with `sender=SupportRequest`, `support_request=<SupportRequest>` and `user=<User>`: the families
app turns the request into a family record.
"""

from django.dispatch import Signal

support_request_accepted = Signal()
