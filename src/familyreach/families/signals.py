"""Signals the families app sends so that the apps built on it (delivery, referrals, outcomes) add what
they hold about a family without families importing them: delivery depends on families, never
the reverse (docs/decisions/0014-signals-between-apps.md). Each receiver is connected in its
own app's `AppConfig.ready()`. Erasure and subject access do not use signals: they follow the
personal-data register (`familyreach.core.personal_data`) every app registers its tables in.
"""

from django.dispatch import Signal

# Sent by `rules.visible_families_filter` with `user` (a signed-in family or outreach worker).
# A receiver returns a `Q` on Family matching the families the worker works with through its
# own domain (booked them, took their register, visits them), or None for none.
family_worker_links = Signal()

# Sent inside `services.family_merge`'s transaction with `duplicate`, `keep` and `user`, after
# the families app moved its own rows. A receiver moves its domain's rows from `duplicate` to
# `keep` and returns a list of notes (what it removed or cancelled as the same fact twice) for
# the merge record. Raising stops the whole merge.
family_merging = Signal()

# Sent by the family record page with `user` and `family` (already fetched and authorised). A
# receiver returns a dict of what its domain shows on the page (template context), keyed by
# names the template reads.
family_page_sections = Signal()

# Sent by the case page when a worker asks to close a case, with `user`, `family` and `case`,
# before anything is written. A receiver returns the URL of a step that must come first (the
# outcome of the family's plan, recorded at closure), or None. The case then closes from that
# step instead of here.
case_closing_steps = Signal()

# Sent by insight's public annual report with `start` and `end` (dates, inclusive). A receiver
# returns counts of cases whose plan closed in that period, by the family's district: a dict of
# district id (None for no district) -> (closed plans whose outcome can be judged, of them how
# many improved). Counts only: no family is named, so no read of a family is audited.
closed_case_outcomes = Signal()
