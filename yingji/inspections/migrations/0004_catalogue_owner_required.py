"""Templates, checklists and the frequency matrix get an owner (step 3 of 3: required; versions per owner)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_live_event'),
        ('inspections', '0003_catalogue_owner_data'),
    ]

    operations = [
        migrations.AlterField(
            model_name='checklist',
            name='region',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='编制单位所在区划'),
        ),
        migrations.AlterField(
            model_name='evaluationtemplate',
            name='region',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='编制单位所在区划'),
        ),
        migrations.AlterField(
            model_name='frequencyrule',
            name='region',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='编制单位所在区划'),
        ),
        migrations.AddConstraint(
            model_name='evaluationtemplate',
            constraint=models.UniqueConstraint(fields=('region', 'name', 'version'), name='evaluation_template_version'),
        ),
    ]
