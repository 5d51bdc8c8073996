from django.db import connection
from django.db.models.expressions import RawSQL

from .models import Order


def by_email(email):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM auth_user WHERE email = '{email}'")  # want: SEC009 "SQL built with an f-string reaches `execute`: `email`"
        return cursor.fetchone()


def search(request):
    sql = "SELECT * FROM shop_order WHERE status = '%s'" % request.GET["status"]
    return list(Order.objects.raw(sql))  # want: SEC009 "`%` formatting reaches `raw`"


def extended(cursor, term, ids):
    q = "SELECT * FROM t WHERE 1=1"
    q += " AND name LIKE '" + term + "'"
    cursor.execute(q)  # want: SEC009 "`\+` concatenation"
    cursor.executemany("DELETE FROM t WHERE id = {}".format(ids[0]), [])  # want: SEC009 "`.format\(\)`"


def annotate(qs, field):
    return qs.annotate(x=RawSQL("SELECT max(%s) FROM t" % field, ())).extra(where=[f"name = '{field}'"])  # want: SEC009 SEC009


def reassigned(cursor, request, flag):
    mode = "READ ONLY"
    if flag:
        mode = request.GET["mode"]
    cursor.execute(f"SET SESSION CHARACTERISTICS AS TRANSACTION {mode}")  # want: SEC009 "`mode`"


def member_of_row(cursor, row):
    cursor.execute("SELECT 1 WHERE side = '%s'" % row.side.value)  # want: SEC009 "`%` formatting reaches `execute`"


class Search:
    column = "title"

    def sorted_by(self, cursor, request):
        self.order = request.GET["order"]
        cursor.execute(f"SELECT * FROM t ORDER BY {self.column}, {self.order}")  # want: SEC009 "`self.order`"


# A list the function grows with what it is given is not constant.
def refresh_some(cursor, extra):
    aggregates = ["summary_1day"]
    aggregates.append(extra)
    for cagg in aggregates:
        cursor.execute(f"CALL refresh_continuous_aggregate('{cagg}')")  # want: SEC009 "`cagg` is pasted into the query"


def migrate_given_fields(cursor, fields):
    for af in fields:
        cursor.execute(f"ALTER TABLE {af[0]} ALTER COLUMN {af[1]} TYPE jsonb")  # want: SEC009 "`af\[0\]` is pasted into the query"


def unified_content_pasted(cursor, search):
    # One item extended with the caller's text: pasted into the query.
    where_conditions = ["movies.active", "series.active"]
    where_conditions[0] += " AND movies.name LIKE '%" + search + "%'"
    cursor.execute(f"SELECT id FROM movies WHERE {where_conditions[0]}")  # want: SEC009


def user_values_joined(cursor, request):
    cursor.execute(f"SET statement_timeout = {PAGE * request.GET['factor']}")  # want: SEC009 "SQL built with an f-string"
    cursor.execute(f"DELETE FROM t WHERE name = {f"'{request.GET['name']}'"}")  # want: SEC009 "SQL built with an f-string"
