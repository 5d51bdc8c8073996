from django.db import connection, models
from django.db.models.expressions import RawSQL

from .models import Order

PAGE = 50


def params(cursor, email, ids):
    cursor.execute("SELECT id FROM auth_user WHERE email = %s", [email])
    placeholders = ", ".join(["%s"] * len(ids))
    cursor.execute(f"SELECT * FROM t WHERE id IN ({placeholders})", ids)
    cursor.execute(f"SELECT * FROM t LIMIT {PAGE} OFFSET {int(ids[0])}")
    table = Order._meta.db_table
    cursor.execute(f"SELECT count(*) FROM {table}")
    cursor.execute("SELECT * FROM %s" % connection.ops.quote_name("t"))
    return Order.objects.raw("SELECT * FROM shop_order WHERE id = %s", [ids[0]])


def constants_joined(cursor, instance):
    # Arithmetic on constants, and an f-string of a row's primary key
    # pasted into another: constants of the code and numbers the database
    # gave (SET takes no bind parameters).
    cursor.execute(f"SET statement_timeout = {PAGE * 1000}")
    cursor.execute(f"DELETE FROM t WHERE id = {f"'{instance.pk}'"}")


class Job:
    def execute(self, command):
        return command


def not_sql(job, name):
    return job.execute(f"run {name}")


def substrings(security_manager, recurring, name):
    security_manager.execute(f"audit {name}")
    return recurring.execute(f"plan {name}")


def reviewed(cursor, level, field_name):
    cursor.execute("SET TRANSACTION ISOLATION LEVEL %s" % level)  # nosec B608
    sql = f"""
        SELECT "{field_name}" FROM t
    """
    cursor.execute(sql)


def modes(cursor, allow_write, queryset):
    mode = "READ WRITE" if allow_write else "READ ONLY"
    cursor.execute(f"SET SESSION CHARACTERISTICS AS TRANSACTION {mode};")
    sql, params = queryset.query.sql_with_params()
    return queryset.model.objects.raw(f"SELECT * FROM ({sql}) t WHERE row_number = 1", params)


def history(queryset, Side):
    from django.db.models.expressions import RawSQL

    # Enum members' values are constants of the code.
    return queryset.annotate(past=RawSQL("SELECT 1 WHERE side = %d AND other = '%s'" % (Side.AFF.value, Side.NEG.label), ()))


class JSONOrderable(models.QuerySet):
    # A column the class names in its body: a code constant, not input.
    json_field = ""

    def order_by_answer(self, field):
        table = self.model._meta.db_table
        return self.order_by(RawSQL(f"LOWER({table}.{self.json_field}->>%s)", (field,)))


# A loop over a literal list of names yields constants, and a date's
# isoformat() is digits and separators (codecov's continuous aggregates).
def refresh_summaries(cursor, start_date, end_date):
    aggregates = ["summary_1day", "summary_7day", "summary_30day"]
    for cagg in aggregates:
        sql = f"CALL refresh_continuous_aggregate('{cagg}', '{start_date.isoformat()}', '{end_date.isoformat()}')"
        cursor.execute(sql)
    for view in ("daily", "weekly"):
        cursor.execute(f"REFRESH MATERIALIZED VIEW {view}")


AFFECTED_FIELDS = [
    ("djstripe_charge", "metadata"),
    ("djstripe_customer", "metadata"),
]


def migrate_json_fields(cursor):
    for af in AFFECTED_FIELDS:
        cursor.execute(f'ALTER TABLE {af[0]} ALTER COLUMN "{af[1]}" TYPE jsonb USING "{af[1]}"::text::jsonb;')


# A list of SQL fragments the code writes, each item extended only with
# literal clauses; the caller's values go in as parameters.
def unified_content(cursor, search, category):
    where_conditions = [
        # Only active content
        "movies.id IN (SELECT movie_id FROM relation WHERE active)",
        "series.id IN (SELECT series_id FROM relation WHERE active)",
    ]
    params = []
    if search:
        where_conditions[0] += " AND LOWER(movies.name) LIKE %s"
        params.append(f"%{search.lower()}%")
    if category:
        where_conditions[1] = "1=0"
    cursor.execute(f"SELECT id FROM movies WHERE {where_conditions[0]}", params)
