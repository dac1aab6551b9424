"""Catalogue entries get an owner (step 1 of 3: the nullable field)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_live_event'),
        ('resources', '0002_stock_minimum'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmaterial',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.region', verbose_name='维护单位所在区划'),
        ),
        migrations.AddField(
            model_name='material',
            name='region',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='维护单位所在区划'),
        ),
    ]
