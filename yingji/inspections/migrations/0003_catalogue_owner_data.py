"""Templates, checklists and the frequency matrix get an owner (step 2 of 3: existing rows go to the top bureau).

The top bureau is the 应急管理局 highest in the region tree (the shortest significant code prefix), else the
top-most region. A table with rows and no region at all cannot be given an owner: the migration stops and says so.
"""

from django.db import migrations

from yingji.standards.division import significant_prefix

MODELS = ("EvaluationTemplate", "FrequencyRule", "Checklist")


def top_bureau_code(apps) -> str | None:
    Organization = apps.get_model("core", "Organization")
    Region = apps.get_model("core", "Region")
    codes = list(Organization.objects.filter(kind="bureau").values_list("region_id", flat=True))
    codes = codes or list(Region.objects.filter(parent__isnull=True).values_list("code", flat=True))
    codes = codes or list(Region.objects.values_list("code", flat=True))
    return min(codes, key=lambda code: (len(significant_prefix(code)), code)) if codes else None


def give_owner(apps, schema_editor):
    pending = [apps.get_model("inspections", name) for name in MODELS]
    pending = [model for model in pending if model.objects.filter(region__isnull=True).exists()]
    if not pending:
        return
    owner = top_bureau_code(apps)
    if owner is None:
        raise RuntimeError(
            "inspections: %s have rows but there is no region to own them; load the regions (core.Region) "
            "and the bureau organisations first, then migrate again." % ", ".join(m.__name__ for m in pending))
    for model in pending:
        model.objects.filter(region__isnull=True).update(region_id=owner)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_live_event'),
        ('inspections', '0002_catalogue_owner'),
    ]

    operations = [
        migrations.RunPython(give_owner, migrations.RunPython.noop),
    ]
