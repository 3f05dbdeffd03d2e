"""Writes the taxonomies of `taxonomy.py` to the database: ours, DfE's categories, and each
service's DfE terms derived from its categories through `taxonomy.CATEGORY_TO_DFE`.

The model classes are arguments so that the data migration (historical models) and
`services.taxonomy_ensure` (current models) run the same code; so use only fields that exist
from migration 0003 on, and nothing else from the app.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from familyreach.directory import taxonomy

BATCH_SIZE = 1000


def taxonomies_write(*, taxonomy_model: Any, term_model: Any, uri_base: str) -> None:
    """Create or refresh our taxonomies and DfE's, with stable ids (idempotent).

    Our URIs are given when a row is created, or where one is blank, and never rewritten: a
    URI a consumer has stored must keep meaning the same term if the base URL changes later."""
    for code, (name, description, terms) in taxonomy.TAXONOMIES.items():
        taxonomy_id = taxonomy.taxonomy_uuid(code)
        row = _upsert(
            taxonomy_model,
            taxonomy_id,
            {"code": code, "name": name, "description": description, "version": "1"},
        )
        _fill_blank(row, "uri", taxonomy.own_taxonomy_uri(uri_base, taxonomy_id))
        for position, term in enumerate(terms):
            term_id = taxonomy.term_uuid(code, term.code)
            term_row = _upsert(
                term_model,
                term_id,
                {
                    "taxonomy": row,
                    "code": term.code,
                    "name": term.name,
                    "description": term.description,
                    "position": position,
                },
            )
            _fill_blank(term_row, "term_uri", taxonomy.own_term_uri(uri_base, term_id))

    # DfE's terms: their URIs point at the public file that defines them, so they are the
    # same from every directory that maps to DfE, whatever its own base URL.
    dfe = _upsert(
        taxonomy_model,
        taxonomy.taxonomy_uuid(taxonomy.DFE_TAXONOMY),
        {
            "code": taxonomy.DFE_TAXONOMY,
            "name": taxonomy.DFE_TAXONOMY_NAME,
            "description": taxonomy.DFE_TAXONOMY_DESCRIPTION,
            "uri": taxonomy.DFE_TAXONOMY_URI,
            "version": taxonomy.DFE_TAXONOMY_VERSION,
        },
    )
    for position, category in enumerate(taxonomy.DFE_CATEGORIES):  # parents come first
        parent = taxonomy.dfe_parent(category)
        _upsert(
            term_model,
            taxonomy.term_uuid(taxonomy.DFE_TAXONOMY, taxonomy.dfe_code(category)),
            {
                "taxonomy": dfe,
                "code": taxonomy.dfe_code(category),
                "name": category.name,
                "description": taxonomy.dfe_term_description(category),
                "parent_id": (
                    taxonomy.term_uuid(taxonomy.DFE_TAXONOMY, taxonomy.dfe_code(parent))
                    if parent is not None
                    else None
                ),
                "term_uri": taxonomy.dfe_term_uri(category),
                "position": position,
            },
        )


def own_uris_fill(
    *, taxonomy_model: Any, term_model: Any, uri_base: str, codes: Iterable[str]
) -> None:
    """Give our taxonomies with these codes (and their terms) URIs where they have none."""
    for row in taxonomy_model.objects.filter(code__in=list(codes), uri=""):
        row.uri = taxonomy.own_taxonomy_uri(uri_base, row.pk)
        row.save(update_fields=["uri"])
    for term in term_model.objects.filter(taxonomy__code__in=list(codes), term_uri=""):
        term.term_uri = taxonomy.own_term_uri(uri_base, term.pk)
        term.save(update_fields=["term_uri"])


def dfe_attributes_write(*, attribute_model: Any, term_model: Any) -> tuple[int, int]:
    """Make each service's DfE terms those its early-years categories map to.

    For every service at once (a migration, a change to the mapping); a single service's edit
    goes through `services._set_terms`. Only services with at least one of our categories are
    touched: one with none (an imported one, say) keeps whatever DfE terms its source gave it.
    Returns (added, removed).
    """
    categories = attribute_model.objects.filter(
        taxonomy_term__taxonomy__code=taxonomy.CATEGORY_TAXONOMY
    )
    current = attribute_model.objects.filter(taxonomy_term__taxonomy__code=taxonomy.DFE_TAXONOMY)
    codes_by_service: dict[UUID, set[str]] = defaultdict(set)
    for service_id, code in categories.values_list("service_id", "taxonomy_term__code"):
        codes_by_service[service_id].add(code)
    dfe_terms = dict(
        term_model.objects.filter(taxonomy__code=taxonomy.DFE_TAXONOMY).values_list("code", "id")
    )
    wanted = {
        (service_id, dfe_terms[code])
        for service_id, codes in codes_by_service.items()
        for code in taxonomy.dfe_codes_for(codes)
    }
    have: set[tuple[UUID, UUID]] = set()
    stale: list[UUID] = []
    for attribute_id, service_id, term_id in current.values_list(
        "id", "service_id", "taxonomy_term_id"
    ):
        if service_id in codes_by_service and (service_id, term_id) not in wanted:
            stale.append(attribute_id)
        else:
            have.add((service_id, term_id))
    for start in range(0, len(stale), BATCH_SIZE):
        attribute_model.objects.filter(id__in=stale[start : start + BATCH_SIZE]).delete()
    missing = sorted(wanted - have)
    attribute_model.objects.bulk_create(
        [
            attribute_model(service_id=service_id, taxonomy_term_id=term_id)
            for service_id, term_id in missing
        ],
        batch_size=BATCH_SIZE,
    )
    return len(missing), len(stale)


def _upsert(model: Any, pk: UUID, fields: dict[str, Any]) -> Any:
    row, _ = model.objects.update_or_create(id=pk, defaults=fields)
    return row


def _fill_blank(row: Any, field: str, value: str) -> None:
    if not getattr(row, field):
        setattr(row, field, value)
        row.save(update_fields=[field])
