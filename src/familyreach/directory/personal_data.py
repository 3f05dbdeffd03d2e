"""What the directory holds about a family (requests for support from the front door), for
subject access and erasure (registered with `familyreach.core.personal_data`)."""

from familyreach.core.personal_data import ERASED, Holding, blank, exempt, hold
from familyreach.directory import models


def register() -> None:
    hold(
        Holding(
            model=models.SupportRequest,
            section="Your requests for support",
            # The explicit link a worker makes on accepting the request (`family_record_id`,
            # set when the request becomes a family or is joined to one): never a match on
            # name or contact details.
            find=lambda found: models.SupportRequest.objects.filter(
                family_record_id__in=found.family_ids
            ),
            fields=(
                ("reference", "Reference"),
                ("created_at", "Sent on"),
                ("requester", "Who asked"),
                ("name", "Name"),
                ("postcode", "Postcode"),
                ("children_ages", "Children's ages (-1: expected baby)"),
                ("help_with", "Help with"),
                ("details", "What you told us"),
                ("contact_method", "How to contact you"),
                ("email", "Email"),
                ("phone", "Phone"),
                ("best_times", "Best times"),
                ("professional_name", "Professional who asked for you"),
                ("professional_organisation", "Their organisation"),
                ("professional_email", "Their email"),
                ("status", "Status"),
                ("decline_reason", "Why we could not help"),
            ),
            erase=blank(
                name=ERASED,
                postcode="",
                children_ages=[],
                details="",
                email="",
                phone="",
                best_times="",
                professional_name="",
                professional_organisation="",
                professional_email="",
                decline_reason="",
            ),
            references=lambda rows: rows.values_list("reference", flat=True),
            order=90,
        )
    )
    exempt(
        models.Taxonomy,
        models.TaxonomyTerm,
        models.Organization,
        models.Service,
        models.Location,
        models.Contact,
        models.Schedule,
        models.Language,
        models.ServiceArea,
        reason="Published directory listings: organisations, services and their public "
        "contacts, not families.",
    )
