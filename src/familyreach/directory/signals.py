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

# Asked by insight's service measures (`insight/service_measures.py`), which cannot import the
# apps beside it. Both are sent with `sender=None`, `start` and `end` (dates, both included).
#
# `requests_for_support_made`: a receiver returns the requests for support its domain received
# in those days for a family with a record, not declined, as a list of
# `(requested_on: date, family_id: int, district_id: int | None)` (referrals: referrals made for
# a known family). The directory's own requests from families are read by insight directly.
#
# `peer_led_meetings_held`: a receiver returns the meetings of peer-led groups held in those
# days, as a list of `(met_on: date, area_id: int | None, district_id: int | None)` (community:
# each meeting a group recorded its attendance for).
requests_for_support_made = Signal()
peer_led_meetings_held = Signal()
