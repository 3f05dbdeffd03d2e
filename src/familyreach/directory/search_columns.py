"""Denormalised search columns, kept in step with the rows they summarise.

`Service.has_venue` says whether a service has any ServiceAtLocation. Saves and deletes
(including cascades and queryset deletes, which send post_delete per row) update it through
the receivers below (connected from `DirectoryConfig.ready()`); bulk loads that bypass signals (`bulk_create`) call
`services_venue_flags_refresh()` afterwards.
"""

from typing import Any

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save

from familyreach.directory.models import Service, ServiceAtLocation


def _has_venue() -> Exists:
    return Exists(ServiceAtLocation.objects.filter(service=OuterRef("pk")))


def service_venue_flag_refresh(*, service_id: Any) -> None:
    Service.objects.filter(pk=service_id).update(has_venue=_has_venue())


def services_venue_flags_refresh() -> int:
    """Recompute every service's flag (after a bulk load); returns how many changed."""
    from familyreach.directory.caches import public_pages_changed

    with_venue = Service.objects.filter(_has_venue())
    without_venue = Service.objects.exclude(_has_venue())
    changed = with_venue.filter(has_venue=False).update(has_venue=True) + without_venue.filter(
        has_venue=True
    ).update(has_venue=False)
    public_pages_changed()  # after bulk loads, which send no signals
    return changed


def _service_at_location_changed(sender: Any, instance: ServiceAtLocation, **kwargs: Any) -> None:
    service_venue_flag_refresh(service_id=instance.service_id)


def connect_receivers() -> None:
    post_save.connect(
        _service_at_location_changed,
        sender=ServiceAtLocation,
        dispatch_uid="directory_has_venue_save",
    )
    post_delete.connect(
        _service_at_location_changed,
        sender=ServiceAtLocation,
        dispatch_uid="directory_has_venue_delete",
    )
