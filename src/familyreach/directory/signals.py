"""Hooks other domains connect to.

`support_request_accepted` is sent (inside the accepting transaction, after the state change)
with `sender=SupportRequest`, `support_request=<SupportRequest>`, `user=<User>` and
`family_id=<int | None>`: the families app turns the request into a family record (or, given a
family id, links that family) and records its id on the request (`family_record_id`).

`proposer_mobile_wanted` is sent with `sender=User` and `user=<User>` when a proposed listing
change is decided: a receiver returns the proposer's mobile number if its domain knows one
(community: the number a group admin gave as a leader or contact of their group), else "". The
directory texts the outcome to the first number returned, besides the email.
"""

from django.dispatch import Signal

support_request_accepted = Signal()
proposer_mobile_wanted = Signal()
