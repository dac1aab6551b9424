"""The bulk-write layer gives the same rows on SQLite and PostgreSQL (run this file once with each database)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import isolate_apps
from psycopg.errors import UniqueViolation

from yingji.core import bulk
from yingji.core.models import Region, StateChange

pytestmark = pytest.mark.django_db

AT = datetime(2026, 5, 1, 8, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def province() -> Region:
    return Region.objects.create(code="390000000000", name="测试省", level="province")


@pytest.fixture
def probe() -> type[models.Model]:
    """A bare table of numbers (bigint key, double, integer), as telemetry writes, for `Arrays`."""
    with isolate_apps("yingji.core"):
        class Probe(models.Model):
            key = models.BigIntegerField(primary_key=True)
            amount = models.FloatField()
            count = models.IntegerField()

            class Meta:
                app_label = "core"
                db_table = "core_bulk_probe"
                managed = False

            def __str__(self) -> str:
                return str(self.key)

    bulk.execute("CREATE TABLE core_bulk_probe (key bigint PRIMARY KEY, amount double precision NOT NULL, "
                 "count integer NOT NULL)")
    return Probe


def _change_rows(province: Region, count: int):
    """A generator, as the fan-out streams its rows; it asks nothing of the database, which the COPY holds."""
    subject_type = ContentType.objects.get_for_model(Region).pk
    return ((subject_type, str(i), province.code, None, "notify", "通知", "pending", "sent", None,
             AT + timedelta(minutes=i), f"第{i}次", {"step": i, "名称": "叫应", "to": [1, 2]}) for i in range(count))


STATE_CHANGE_FIELDS = ("subject_type", "subject_id", "region", "enterprise", "action", "action_label", "from_state",
                       "to_state", "actor", "at", "reason", "data")


def test_insert_rows_writes_every_kind_of_value_as_the_orm_reads_it(province):
    assert bulk.insert_rows(StateChange, STATE_CHANGE_FIELDS, _change_rows(province, 3)) == 3
    rows = list(StateChange.objects.order_by("subject_id").values_list("subject_id", "region_id", "enterprise_id",
                                                                        "at", "reason", "data"))
    assert rows == [(str(i), "390000000000", None, AT + timedelta(minutes=i), f"第{i}次",
                     {"step": i, "名称": "叫应", "to": [1, 2]}) for i in range(3)]


def test_insert_rows_of_nothing_writes_nothing(province):
    assert bulk.insert_rows(StateChange, STATE_CHANGE_FIELDS, []) == 0
    assert not StateChange.objects.exists()


def test_upsert_rows_inserts_new_keys_and_updates_existing_ones(province):
    Region.objects.create(code="390100000000", name="旧名", level="city", parent=province, population=10)
    written = bulk.upsert_rows(
        Region, ("code", "name", "level", "parent", "population", "boundary"),
        [("390100000000", "新名", "city", province.code, 20, {"type": "Point", "coordinates": [1, 2]}),
         ("390200000000", "另一市", "city", province.code, 30, None)],
        conflict=("code",), update=("name", "population", "boundary"))
    assert written == 2
    assert list(Region.objects.filter(parent=province).order_by("code").values_list(
        "code", "name", "population", "boundary")) == [
        ("390100000000", "新名", 20, {"type": "Point", "coordinates": [1, 2]}),
        ("390200000000", "另一市", 30, None),
    ]


def test_upsert_rows_updates_only_where_the_condition_holds(province):
    Region.objects.create(code="390100000000", name="甲", level="city", parent=province, population=50)
    Region.objects.create(code="390200000000", name="乙", level="city", parent=province, population=50)
    bulk.upsert_rows(Region, ("code", "name", "level", "population"),
                     [("390100000000", "甲新", "city", 60), ("390200000000", "乙新", "city", 40)],
                     conflict=("code",), update=("name", "population"),
                     where=f"excluded.population > {bulk.table(Region)}.population")
    assert dict(Region.objects.filter(parent=province).values_list("name", "population")) == {"甲新": 60, "乙": 50}


def test_upsert_rows_without_update_leaves_existing_rows(province):
    Region.objects.create(code="390100000000", name="甲", level="city", parent=province)
    bulk.upsert_rows(Region, ("code", "name", "level"), [("390100000000", "改", "city"), ("390200000000", "乙", "city")],
                     conflict=("code",))
    assert dict(Region.objects.exclude(pk=province.pk).values_list("code", "name")) == {
        "390100000000": "甲", "390200000000": "乙"}


def test_arrays_are_inserted_and_upserted_column_by_column(probe):
    written = bulk.insert_rows(probe, ("key", "amount", "count"),
                               bulk.Arrays(np.array([1, 2, 3], np.int64), np.array([0.5, 1.5, 2.5]),
                                           np.array([7, 8, 9], np.int64)))
    assert written == 3
    bulk.upsert_rows(probe, ("key", "amount", "count"),
                     bulk.Arrays(np.array([2, 3, 4], np.int64), np.array([9.25, 0.25, 4.5]),
                                 np.array([80, 90, 100], np.int64)),
                     conflict=("key",), update=("amount", "count"),
                     where=f"excluded.amount > {bulk.table(probe)}.amount")
    assert list(probe.objects.order_by("key").values_list("key", "amount", "count")) == [
        (1, 0.5, 7), (2, 9.25, 80), (3, 2.5, 9), (4, 4.5, 100)]


def test_an_existing_key_refuses_the_insert_and_leaves_the_transaction_usable(probe):
    columns = ("key", "amount", "count")
    bulk.insert_rows(probe, columns, bulk.Arrays(np.array([1], np.int64), np.array([1.0]), np.array([1], np.int64)))
    with pytest.raises((IntegrityError, UniqueViolation)), transaction.atomic():
        bulk.insert_rows(probe, columns, bulk.Arrays(np.array([2, 1], np.int64), np.array([2.0, 3.0]),
                                                     np.array([2, 3], np.int64)))
    assert list(probe.objects.values_list("key", "amount")) == [(1, 1.0)]


def _stage(name: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {name} ORDER BY 1")
        return [tuple(row) for row in cursor.fetchall()]


@pytest.mark.parametrize("analyze", [True, False])
def test_a_stage_holds_exactly_the_rows_of_its_last_filling(analyze):
    columns = "id bigint, status varchar(10), note varchar(200)"
    bulk.fill_stage("bulk_test_stage", columns, [(1, "sent", "好"), (2, "failed", "")], analyze=analyze)
    assert _stage("bulk_test_stage") == [(1, "sent", "好"), (2, "failed", "")]
    bulk.fill_stage("bulk_test_stage", columns, [(3, "sent", None)], analyze=analyze)
    assert _stage("bulk_test_stage") == [(3, "sent", None)]


def test_a_stage_is_filled_from_arrays():
    bulk.fill_stage("bulk_test_numbers", "point_id bigint, ts bigint, value double precision",
                    bulk.Arrays(np.array([5, 4], np.int64), np.array([1_763_870_400_000, 2**40], np.int64),
                                np.array([-0.125, 1e300])), analyze=False)
    assert _stage("bulk_test_numbers") == [(4, 2**40, 1e300), (5, 1_763_870_400_000, -0.125)]


def test_stage_returning_keeps_the_rows_an_update_returns(province):
    for code, population in (("390100000000", 1), ("390200000000", 2)):
        Region.objects.create(code=code, name=code, level="city", parent=province, population=population)
    r = bulk.table(Region)
    moved = bulk.stage_returning("bulk_test_moved", "code varchar(12), population integer",
                                 f"UPDATE {r} SET population = population + 10 WHERE parent_id = %s "
                                 "RETURNING code, population", [province.code])
    assert moved == 2
    assert _stage("bulk_test_moved") == [("390100000000", 11), ("390200000000", 12)]


def test_the_sql_fragments_mean_the_same_on_both_databases(province):
    bulk.insert_rows(StateChange, STATE_CHANGE_FIELDS, _change_rows(province, 1))
    sc = bulk.table(StateChange)
    later = bulk.when(AT + timedelta(minutes=90))
    assert bulk.execute(f"UPDATE {sc} SET reason = 'later' WHERE {bulk.plus_minutes('at', '90')} = %s", [later]) == 1
    assert bulk.execute(f"UPDATE {sc} SET data = {bulk.json_param()}", ['[{"x": 1}, {"x": "二"}]']) == 1
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {bulk.json_list_item('data', '1', 'x')}, {bulk.json_list_item('data', '2', 'x')} "
                       f"FROM {sc} WHERE at = %s", [bulk.when(AT)])
        assert cursor.fetchone() == ("二", None)
    assert StateChange.objects.get().reason == "later"
