from django.db import migrations


def create_time_index(apps, schema_editor):
    # Readings arrive in time order, so a BRIN index on ts is a few pages for billions of rows on
    # PostgreSQL; SQLite has no BRIN and gets an ordinary index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS monitoring_reading_ts_brin "
                              "ON monitoring_reading USING brin (ts) WITH (pages_per_range = 32)")
    else:
        schema_editor.execute("CREATE INDEX IF NOT EXISTS monitoring_reading_ts ON monitoring_reading (ts)")


def drop_time_index(apps, schema_editor):
    name = "monitoring_reading_ts_brin" if schema_editor.connection.vendor == "postgresql" else "monitoring_reading_ts"
    schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(create_time_index, drop_time_index)]
