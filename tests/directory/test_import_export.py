"""ORUK import (all or nothing, with a report) and export, against the ORUK validator's mocks."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from familyreach.directory import importer
from familyreach.directory.models import (
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from tests.directory import oruk_schemas
from tests.fixtures.directory import DirectoryWorld

pytestmark = pytest.mark.django_db

MOCKS = Path(__file__).parent / "oruk" / "validator-mocks"


def _default_set(tmp_path: Path) -> Path:
    # The validator's dashboard_* files are its own web page's data, not ORUK documents.
    folder = tmp_path / "default"
    folder.mkdir(parents=True)
    for file in (MOCKS / "V3.0-UK-Default").glob("*.json"):
        if not file.name.startswith("dashboard_"):
            shutil.copy(file, folder / file.name)
    return folder


def test_the_default_set_imports(tmp_path: Path, capsys: Any) -> None:
    call_command("directory_import", str(_default_set(tmp_path)), "--name", "validator-default")
    output = capsys.readouterr().out
    assert "Imported" in output
    service = Service.objects.get(pk="ac148810-d857-441c-9679-408f346de14b")
    assert service.name == "Community Counselling"
    assert service.organization.name == "Example Organization Inc."
    assert service.source == "oruk:validator-default"
    schedule = Schedule.objects.get(service=service)
    assert (schedule.freq, schedule.byday, str(schedule.opens_at)) == (
        "WEEKLY",
        "TH,FR",
        "10:00:00",
    )
    location = ServiceAtLocation.objects.get(service=service).location
    assert location.addresses.get().postal_code == "ABC 1234"
    # Latitude 100 is not on Earth: kept out, and said so.
    assert location.latitude is None
    assert "is not on Earth" in output
    assert Organization.objects.filter(source="oruk:validator-default").count() == 10
    assert TaxonomyTerm.objects.filter(pk="3f7b145d-84af-42d7-8fae-eaca714b02b2").exists()
    # Importing again changes nothing (idempotent).
    call_command(
        "directory_import", str(_default_set(tmp_path / "again")), "--name", "validator-default"
    )
    assert Service.objects.filter(source="oruk:validator-default").count() == 1


def test_the_fail_set_is_refused_with_a_report_and_nothing_written(capsys: Any) -> None:
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("directory_import", str(MOCKS / "V3.0-UK-Fail"))
    report = capsys.readouterr().err
    assert "Refused" in report
    assert "service_full.json/url: 'example/counselling' is not a 'uri'" in report
    assert "service_full.json/email: 'email-example_com' is not a 'email'" in report
    assert "service_list.json/contents/0: 'name' is a required property" in report
    assert "taxonomy_term.json: 'description' is a required property" in report
    assert "api_details.json/openapi_url" in report
    assert Service.objects.count() == 0
    assert Organization.objects.count() == 0
    assert Taxonomy.objects.count() == 0


@pytest.mark.parametrize("name", ["service_full.json", "service_list.json", "taxonomy_term.json"])
def test_each_broken_fail_file_is_refused_alone(name: str) -> None:
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_source(str(MOCKS / "V3.0-UK-Fail" / name))
    assert refused.value.report.errors
    assert Service.objects.count() == 0


def test_a_problem_found_while_writing_rolls_everything_back(
    tmp_path: Path, directory_world: DirectoryWorld
) -> None:
    # The second service reuses the id of a listing we hold from another source: refused, and
    # the first service (valid, written before) is rolled back too.
    feed = {
        "services": [
            {"id": "11111111-1111-4111-8111-111111111111", "name": "First", "status": "active"},
            {"id": str(directory_world.stay_and_play.pk), "name": "Clash", "status": "active"},
        ]
    }
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed))
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_source(str(path))
    assert "already held here from another source" in refused.value.report.text()
    assert not Service.objects.filter(name="First").exists()
    directory_world.stay_and_play.refresh_from_db()
    assert directory_world.stay_and_play.name == "Stay and play at Great Yarmouth Library"


def test_not_json_and_missing_files_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(importer.ImportRefused, match="1 problems") as refused:
        importer.import_source(str(bad))
    assert "not valid JSON" in refused.value.report.text()
    with pytest.raises(importer.ImportRefused) as missing:
        importer.import_source(str(tmp_path / "nowhere.json"))
    assert "no such file" in missing.value.report.text()


def test_export_validates_and_round_trips(tmp_path: Path, directory_world: DirectoryWorld) -> None:
    path = tmp_path / "export.json"
    call_command("directory_export", str(path))
    exported = json.loads(path.read_text())
    assert len(exported["services"]) == 7  # every listing, whatever its status
    for record in exported["services"]:
        assert oruk_schemas.errors("compiled/service.json", record) == []

    # Wipe the directory, import the export, export again: the same data comes back.
    _wipe_directory()
    importer.import_source(str(path), name="round-trip")
    assert _comparable(importer.export_feed()) == _comparable(exported)


def test_another_publishers_feed_round_trips_without_loss(tmp_path: Path) -> None:
    """Theirs as well as ours: the ORUK validator's example feed, imported, exported, wiped,
    imported from our export and exported again, comes back the same."""
    call_command("directory_import", str(_default_set(tmp_path)), "--name", "validator-default")
    first = importer.export_feed()
    names = {service["name"] for service in first["services"]}
    assert "Community Counselling" in names
    counselling = next(s for s in first["services"] if s["name"] == "Community Counselling")
    assert [
        a["postal_code"]
        for sal in counselling["service_at_locations"]
        for a in sal["location"]["addresses"]
    ] == ["ABC 1234"]
    assert {(x["freq"], x["byday"]) for x in counselling["schedules"]} == {("WEEKLY", "TH,FR")}

    path = tmp_path / "ours.json"
    path.write_text(json.dumps(first, default=str))
    _wipe_directory()
    importer.import_source(str(path), name="their-feed-again")
    assert _comparable(importer.export_feed()) == _comparable(json.loads(path.read_text()))


def _wipe_directory() -> None:
    ServiceAtLocation.objects.all().delete()
    Service.objects.all().delete()
    Location.objects.all().delete()
    Organization.objects.update(parent_organization=None)  # parents are protected too
    Organization.objects.all().delete()
    TaxonomyTerm.objects.update(parent=None)  # DfE's sub-categories protect their parents
    TaxonomyTerm.objects.all().delete()
    Taxonomy.objects.all().delete()


def _comparable(feed: dict[str, Any]) -> Any:
    """A feed without what changes by itself (when each record was last written)."""
    services = [{k: v for k, v in s.items() if k != "last_modified"} for s in feed["services"]]
    for service in services:
        service["organization"] = dict(service["organization"].items())
    return services, feed["organizations"], feed["taxonomies"]
