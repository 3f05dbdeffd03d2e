"""Our early-years categories mapped to the DfE Family Hubs service directory's categories, and
published as ORUK taxonomy terms with URIs (docs/decisions/0006-taxonomy-mapping-to-dfe.md)."""

from collections.abc import Callable
from io import StringIO
from typing import Any
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import demo, services, taxonomy
from familyreach.directory.models import Service, ServiceAttribute, Taxonomy, TaxonomyTerm
from tests.directory import oruk_schemas
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = pytest.mark.django_db

DFE_TAXONOMY_ID = taxonomy.taxonomy_uuid(taxonomy.DFE_TAXONOMY)
CATEGORY_TAXONOMY_ID = taxonomy.taxonomy_uuid(taxonomy.CATEGORY_TAXONOMY)


def _dfe_term_id(name: str) -> str:
    category = next(c for c in taxonomy.DFE_CATEGORIES if c.name == name)
    return str(taxonomy.term_uuid(taxonomy.DFE_TAXONOMY, taxonomy.dfe_code(category)))


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()


def _dfe_names(service: Service) -> set[str]:
    return set(
        ServiceAttribute.objects.filter(
            service=service, taxonomy_term__taxonomy__code=taxonomy.DFE_TAXONOMY
        ).values_list("taxonomy_term__name", flat=True)
    )


# --- The table itself -------------------------------------------------------------------------


def test_every_one_of_our_categories_maps_to_at_least_one_dfe_sub_category() -> None:
    ours = [term.code for term in taxonomy.TAXONOMIES[taxonomy.CATEGORY_TAXONOMY][2]]
    assert sorted(taxonomy.CATEGORY_TO_DFE) == sorted(ours)
    by_name = {c.name: c for c in taxonomy.DFE_CATEGORIES}
    for code in ours:
        names = taxonomy.CATEGORY_TO_DFE[code]
        assert names, code
        for name in names:
            assert name in by_name, f"{code} maps to {name!r}, which is not a DfE category"
            # DfE files services under sub-categories; the parent follows from parent_id.
            assert by_name[name].parent_id is not None, name


def test_the_dfe_table_is_their_seed_in_order() -> None:
    # Their ids are identity values given in seed order: 1..49 with the six parents first.
    ids = [c.dfe_id for c in taxonomy.DFE_CATEGORIES]
    assert ids == list(range(1, 50))
    assert [c.name for c in taxonomy.DFE_CATEGORIES if c.parent_id is None] == [
        "Activities, clubs and groups",
        "Family support",
        "Health",
        "Pregnancy, birth and early years",
        "Special educational needs and disabilities (SEND)",
        "Transport",
    ]
    # Their e2e seed data: "ID 18, which is 'Money, benefits and housing' ... 'Family support'".
    eighteen = taxonomy.DFE_CATEGORIES[17]
    assert (eighteen.name, taxonomy.dfe_parent(eighteen)) == (
        "Money, benefits and housing",
        taxonomy.DFE_CATEGORIES[1],
    )
    assert len({c.line for c in taxonomy.DFE_CATEGORIES}) == 49
    assert taxonomy.dfe_codes_for(["family-support", "parenting", "unknown"]) == ["17", "19"]


# --- Published in the ORUK API ----------------------------------------------------------------


def test_api_publishes_the_dfe_taxonomy_and_its_terms_with_uris(
    client: Client, directory_world: DirectoryWorld
) -> None:
    listed = _get(client, "/openreferral/taxonomies")["contents"]
    dfe = next(t for t in listed if t["id"] == str(DFE_TAXONOMY_ID))
    assert dfe["name"] == "DfE Family Hubs service directory"
    assert dfe["uri"] == (
        "https://github.com/DFE-Digital/fh-services/blob/32f20cb35b01e75e8f6fa8c81338fc5b8399046d/"
        "src/service/service-directory-api/src/FamilyHubs.ServiceDirectory.Data/Migrations/"
        "20241111100056_SeedData.cs"
    )

    body = _get(client, f"/openreferral/taxonomies/{DFE_TAXONOMY_ID}")
    assert oruk_schemas.errors("taxonomy.json", body) == []
    terms = body["taxonomy_terms"]
    assert len(terms) == 49
    by_name = {term["name"]: term for term in terms}
    money = by_name["Money, benefits and housing"]
    assert money["code"] == money["term"] == "18"
    assert money["parent_id"] == by_name["Family support"]["id"]
    assert money["term_uri"] == f"{dfe['uri']}#L58"
    assert "parent_id" not in by_name["Transport"]
    for term in terms:
        assert term["taxonomy"] == dfe["uri"]
        assert term["taxonomy_id"] == dfe["id"]
        assert term["term_uri"].startswith(dfe["uri"] + "#L")
        assert term["description"]

    page = _get(client, f"/openreferral/taxonomy_terms?taxonomy_id={DFE_TAXONOMY_ID}&per_page=60")
    assert page["total_items"] == 49
    for term in page["contents"]:
        assert oruk_schemas.errors("taxonomy_term.json", term) == []


def test_our_own_terms_have_uris_that_resolve_to_their_records(
    client: Client, directory_world: DirectoryWorld
) -> None:
    base = settings.TAXONOMY_URI_BASE
    ours = _get(client, f"/openreferral/taxonomies/{CATEGORY_TAXONOMY_ID}")
    assert ours["uri"] == f"{base}/taxonomies/{CATEGORY_TAXONOMY_ID}"
    assert len(ours["taxonomy_terms"]) == 12
    for term in ours["taxonomy_terms"]:
        assert term["term_uri"] == f"{base}/taxonomy_terms/{term['id']}"
        assert term["taxonomy"] == ours["uri"]
        # With the default base the URI is the term's own ORUK record.
        assert _get(client, urlparse(term["term_uri"]).path)["id"] == term["id"]
    assert _get(client, urlparse(ours["uri"]).path)["name"] == ours["name"]


def test_a_uri_once_given_is_kept_when_the_base_changes(
    directory_world: DirectoryWorld, settings: Any
) -> None:
    term = TaxonomyTerm.objects.get(code="stay-and-play")
    before = term.term_uri
    settings.TAXONOMY_URI_BASE = "https://directory.example.gov.uk/openreferral"
    services.taxonomy_ensure()
    term.refresh_from_db()
    assert term.term_uri == before


def test_a_service_filed_under_our_category_carries_the_mapped_dfe_terms(
    client: Client, directory_world: DirectoryWorld
) -> None:
    body = _get(client, f"/openreferral/services/{directory_world.stay_and_play.pk}")
    dfe_attributes = [
        a
        for a in body["attributes"]
        if a["taxonomy_term"].get("taxonomy_id") == str(DFE_TAXONOMY_ID)
    ]
    # Filed under our "stay-and-play" and "early-language".
    assert [a["taxonomy_term"]["name"] for a in dfe_attributes] == [
        "Parent, baby and toddler groups",
        "Early years language and learning",
    ]
    attribute = dfe_attributes[0]
    assert attribute["taxonomy_term_id"] == _dfe_term_id("Parent, baby and toddler groups")
    assert attribute["taxonomy_term"]["term_uri"].endswith("#L48")
    assert oruk_schemas.errors("compiled/service.json", body) == []

    # A consumer that knows only DfE's categories can ask for them.
    page = _get(
        client,
        f"/openreferral/services?taxonomy_term_id={_dfe_term_id('Parent, baby and toddler groups')}",
    )
    assert str(directory_world.stay_and_play.pk) in {s["id"] for s in page["contents"]}
    assert str(directory_world.feeding.pk) not in {s["id"] for s in page["contents"]}


def test_dfe_terms_follow_a_staff_edit_of_categories(
    directory_world: DirectoryWorld, make_user: Callable[..., User]
) -> None:
    service = directory_world.parenting_online
    assert _dfe_names(service) == {"Parenting support"}
    services.service_edit(
        user=make_user(Role.MANAGER),
        organization=directory_world.council,
        service=service,
        changes={"categories": ["money-and-housing", "family-support"]},
    )
    assert _dfe_names(service) == {
        "Money, benefits and housing",
        "Debt and welfare advice",
        "Parenting support",
        "Intensive targeted family support",
    }
    services.service_edit(
        user=make_user(Role.MANAGER),
        organization=directory_world.council,
        service=service,
        changes={"categories": []},
    )
    assert _dfe_names(service) == set()


def test_ensure_restores_missing_dfe_terms_and_leaves_services_without_categories_alone(
    directory_world: DirectoryWorld,
) -> None:
    ServiceAttribute.objects.filter(taxonomy_term__taxonomy__code=taxonomy.DFE_TAXONOMY).delete()
    # A service whose source filed it under DfE's terms directly, with none of our categories.
    imported = directory_world.defunct
    ServiceAttribute.objects.filter(service=imported).delete()
    ServiceAttribute.objects.create(
        service=imported, taxonomy_term_id=_dfe_term_id("Community transport")
    )
    # A stale DfE term (from an older mapping) on a service that has our categories.
    ServiceAttribute.objects.create(
        service=directory_world.feeding, taxonomy_term_id=_dfe_term_id("Oral health")
    )

    services.taxonomy_ensure()

    assert _dfe_names(directory_world.feeding) == {
        "Infant feeding support (including breastfeeding)"
    }
    assert _dfe_names(directory_world.baby_group) == {  # baby groups, peer support
        "Parent, baby and toddler groups",
        "Parenting support",
    }
    assert _dfe_names(imported) == {"Community transport"}
    for service in Service.objects.filter(
        attributes__taxonomy_term__taxonomy__code=taxonomy.CATEGORY_TAXONOMY
    ).distinct():
        assert _dfe_names(service), service.name


# --- Existing databases and the demo ----------------------------------------------------------


def _migration() -> Any:
    return import_string(
        "familyreach.directory.migrations.0003_taxonomy_uris_and_dfe_categories."
        "add_uris_and_dfe_categories"
    )


def test_the_migration_brings_an_older_database_up_to_date(
    directory_world: DirectoryWorld,
) -> None:
    # The state before this change: no DfE taxonomy, no URIs.
    ServiceAttribute.objects.filter(taxonomy_term__taxonomy__code=taxonomy.DFE_TAXONOMY).delete()
    TaxonomyTerm.objects.filter(taxonomy__code=taxonomy.DFE_TAXONOMY).update(parent=None)
    TaxonomyTerm.objects.filter(taxonomy__code=taxonomy.DFE_TAXONOMY).delete()
    Taxonomy.objects.filter(code=taxonomy.DFE_TAXONOMY).delete()
    Taxonomy.objects.update(uri="")
    TaxonomyTerm.objects.update(term_uri="")

    _migration()(apps, None)

    assert TaxonomyTerm.objects.filter(taxonomy__code=taxonomy.DFE_TAXONOMY).count() == 49
    assert not TaxonomyTerm.objects.filter(
        taxonomy__code__in=[taxonomy.CATEGORY_TAXONOMY, taxonomy.DELIVERY_TAXONOMY], term_uri=""
    ).exists()
    assert _dfe_names(directory_world.stay_and_play) == {
        "Parent, baby and toddler groups",
        "Early years language and learning",
    }


def test_the_migration_leaves_a_new_database_empty(db: Any) -> None:
    _migration()(apps, None)
    assert not Taxonomy.objects.exists()


def test_community_run_by_local_parents_term_gets_a_uri(directory_world: DirectoryWorld) -> None:
    from familyreach.directory.services import run_by_local_parents_term_ensure

    term = run_by_local_parents_term_ensure()
    assert term.term_uri == f"{settings.TAXONOMY_URI_BASE}/taxonomy_terms/{term.pk}"
    assert term.taxonomy.uri == (f"{settings.TAXONOMY_URI_BASE}/taxonomies/{term.taxonomy_id}")


def test_demo_services_carry_dfe_terms_for_their_categories(norfolk: NorfolkWorld) -> None:
    demo.load(StringIO())
    listed = Service.objects.filter(source="demo")
    assert listed.count() > 50
    for service in listed.prefetch_related("attributes__taxonomy_term__taxonomy"):
        terms = [a.taxonomy_term for a in service.attributes.all()]
        ours = [t.code for t in terms if t.taxonomy.code == taxonomy.CATEGORY_TAXONOMY]
        dfe = sorted(t.code for t in terms if t.taxonomy.code == taxonomy.DFE_TAXONOMY)
        assert ours, service.name
        assert dfe == taxonomy.dfe_codes_for(ours), service.name
