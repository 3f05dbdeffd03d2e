"""Existing databases get what `services.taxonomy_ensure` now writes: URIs for our own taxonomy
terms, the DfE Family Hubs service directory's categories, and each service's DfE terms mapped
from its early-years categories (docs/decisions/0006-taxonomy-mapping-to-dfe.md).

A new, empty database is left alone: the demo load and the first publishing call
`taxonomy_ensure`, which writes the same rows, so tests start from an empty directory as before.
"""

from django.conf import settings
from django.db import migrations, models

from familyreach.directory import taxonomy_seed


def add_uris_and_dfe_categories(apps, schema_editor):
    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    ServiceAttribute = apps.get_model("directory", "ServiceAttribute")
    if not Taxonomy.objects.filter(code="early-years").exists():
        return
    taxonomy_seed.taxonomies_write(
        taxonomy_model=Taxonomy, term_model=TaxonomyTerm, uri_base=settings.TAXONOMY_URI_BASE
    )
    # Community's "Who runs it" is ours too (kept in community/publishing.py).
    taxonomy_seed.own_uris_fill(
        taxonomy_model=Taxonomy,
        term_model=TaxonomyTerm,
        uri_base=settings.TAXONOMY_URI_BASE,
        codes=["provider-type"],
    )
    taxonomy_seed.dfe_attributes_write(attribute_model=ServiceAttribute, term_model=TaxonomyTerm)


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_service_has_venue")]

    operations = [
        migrations.AlterField(
            model_name="taxonomy",
            name="uri",
            field=models.URLField(blank=True, max_length=2048),
        ),
        migrations.AlterField(
            model_name="taxonomyterm",
            name="term_uri",
            field=models.URLField(blank=True, max_length=2048),
        ),
        # Going back leaves the rows: they are valid under the older code too.
        migrations.RunPython(add_uris_and_dfe_categories, migrations.RunPython.noop),
    ]
