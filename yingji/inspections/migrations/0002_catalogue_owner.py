"""Templates, checklists and the frequency matrix get an owner (step 1 of 3: the nullable field)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_live_event'),
        ('inspections', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='evaluationtemplate',
            name='evaluation_template_version',
        ),
        migrations.AddField(
            model_name='checklist',
            name='region',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='编制单位所在区划'),
        ),
        migrations.AddField(
            model_name='evaluationtemplate',
            name='region',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='编制单位所在区划'),
        ),
        migrations.AddField(
            model_name='frequencyrule',
            name='region',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='编制单位所在区划'),
        ),
        migrations.AddField(
            model_name='historicalchecklist',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.region', verbose_name='编制单位所在区划'),
        ),
        migrations.AddField(
            model_name='historicalevaluationtemplate',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.region', verbose_name='编制单位所在区划'),
        ),
        migrations.AddField(
            model_name='historicalfrequencyrule',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.region', verbose_name='编制单位所在区划'),
        ),
    ]
