"""History rows for many records at once, copied by the database instead of built in Python.

``bulk_history_create`` builds one historical instance per record and inserts them through the ORM;
for an import of ten thousand projects that costs as much as inserting the projects themselves. The
rows it would write are copies of the records' tracked columns plus four history columns, so the
database can make them itself: ``INSERT INTO history (…) SELECT … FROM table WHERE pk IN (…)``.
The columns come from the historical model, so a field added to the model is copied without change here.
"""

from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

BATCH = 500


def copy_into_history(model, pks: Sequence[int], *, user, history_type: str = "+", reason: str = "") -> int:
    """Write the history row of each record in ``pks`` as it now stands in the database; return how many."""
    historical = model.history.model
    quote = connection.ops.quote_name
    columns = [field.column for field in historical.tracked_fields]
    when = connection.ops.adapt_datetimefield_value(timezone.now())
    target = ", ".join(quote(column) for column in [*columns, "history_date", "history_type", "history_user_id"])
    source = ", ".join(quote(column) for column in columns)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(pks), BATCH):
            batch = list(pks[start : start + BATCH])
            placeholders = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"INSERT INTO {quote(historical._meta.db_table)} ({target}, {quote('history_change_reason')}) "
                f"SELECT {source}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({placeholders})",
                [when, history_type, getattr(user, "pk", None), reason, *batch],
            )
            written += cursor.rowcount
    return written
