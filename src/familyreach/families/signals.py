"""Signals other domains listen to, so the families app needs no knowledge of them."""

from django.dispatch import Signal

# Sent inside `family_anonymise`'s transaction with `family` and `user`. A receiver erases the
# personal data its own domain holds about that family and returns the (model, primary keys)
# it erased, so their audit history is scrubbed too. Raising stops the whole erasure.
# New code registers its tables in `familyreach.core.personal_data` instead (erasure and
# subject access both follow the register, and a test fails on a table left out of it); no
# app in this codebase listens to this signal any more.
family_anonymising = Signal()
