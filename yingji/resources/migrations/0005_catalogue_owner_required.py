"""Material catalogue entries get an owner (step 3 of 3: required)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_live_event'),
        ('resources', '0004_catalogue_owner_data'),
    ]

    operations = [
        migrations.AlterField(
            model_name='material',
            name='region',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.region', verbose_name='维护单位所在区划'),
        ),
    ]
