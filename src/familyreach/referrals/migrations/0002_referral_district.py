"""Referrals carry the district of the family they are about, so that they are scoped by
district as family records are (a manager answers for the council's services in their own
district). Existing referrals take the family record's district, else the postcode's, else
the referrer's."""

import django.db.models.deletion
from django.db import migrations, models


def fill_districts(apps, schema_editor):  # type: ignore[no-untyped-def]
    Referral = apps.get_model("referrals", "Referral")
    Postcode = apps.get_model("geo", "Postcode")
    District = apps.get_model("geo", "District")
    for referral in Referral.objects.select_related("family", "created_by").filter(
        district__isnull=True
    ):
        district_id = referral.family.district_id if referral.family else None
        if district_id is None and referral.postcode:
            compact = referral.postcode.replace(" ", "").upper()
            found = Postcode.objects.filter(compact=compact).first()
            district_id = found.district_id if found else None
        if district_id is None and referral.created_by and referral.created_by.district_code:
            found_district = District.objects.filter(code=referral.created_by.district_code).first()
            district_id = found_district.pk if found_district else None
        if district_id is not None:
            Referral.objects.filter(pk=referral.pk).update(district_id=district_id)


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0004_area_under_fives_label"),
        ("referrals", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geo.district",
            ),
        ),
        migrations.RunPython(fill_districts, migrations.RunPython.noop),
    ]
