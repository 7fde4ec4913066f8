"""A 合计 row that states a total the rows do not add up to: a warning in the dry run, never a server error."""

import pytest

from tests.imports.importing import counts, upload, warnings
from tests.imports.test_projects_import import HEADER, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_a_wrong_total_is_a_warning_on_its_row(client, cast, world):  # noqa: F811
    client.force_login(cast["civil"])
    rows = [HEADER, ["独居老人关爱", 2014, "阳光社工中心", "橙", "2万", "2014-09-01", "2015-08-31"]]
    job = upload(client, "projects", [*rows, ["合计", None, None, None, 30000]])
    assert job.status == "checked" and job.result["counts"] == counts(new=1)
    assert "30,000.00" in warnings(job)[(3, "申请金额（元）")]
