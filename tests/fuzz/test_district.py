"""The hostile-input tests that need the demo district, in one module so that it is seeded once (~25 s).

The forms (``tests/fuzz/forms.py``), the lists' query parameters (``tests/fuzz/lists.py``) and whole imports
(below) run on the same district; each example runs in a savepoint that is rolled back.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from projects.imports.jobs import import_job_confirm, import_job_start
from projects.imports.registry import IMPORTERS, importer_for
from projects.models import AuditEntry, ImportJob
from projects.states import ImportStatus
from tests.fuzz.forms import (  # noqa: F401  (collected here)
    district,
    test_password_forms_survive_hostile_posts,
    test_sign_in_forms_survive_hostile_posts,
    test_workbench_forms_survive_hostile_posts,
)
from tests.fuzz.hostile import changed, rolled_back, row_counts
from tests.fuzz.lists import (  # noqa: F401  (collected here)
    test_admin_lists_survive_hostile_query_parameters,
    test_portal_lists_survive_hostile_query_parameters,
)
from tests.fuzz.test_imports import CHINESE, cell_values, headers_of, workbook

# The tests imported above lose their modules' markers here: without this one pytest-django would order them
# after the transactional tests, whose flushes remove the role groups the data migrations made.
pytestmark = pytest.mark.django_db

# -- the imports: all or nothing ------------------------------------------------------------------------------


@pytest.mark.django_db
@given(st.sampled_from(sorted(IMPORTERS)), st.data())
def test_an_import_writes_every_row_or_nothing(demo_district, key, data):

    user = get_user_model().objects.get(username=data.draw(st.sampled_from(["civil", "unit", "association"])))
    if not importer_for(key, user).may_import():
        return
    header = headers_of(key)
    rows = data.draw(st.lists(st.lists(cell_values, min_size=len(header), max_size=len(header)), max_size=3))
    content = workbook(header, rows) if data.draw(st.booleans()) else data.draw(st.binary(max_size=500))
    with rolled_back():
        before = row_counts()
        job = import_job_start(importer_key=key, upload=SimpleUploadedFile("导入.xlsx", content), by=user)
        if job.status == ImportStatus.CHECKED:
            job = import_job_confirm(job=job, by=user, expected_version=job.version)
        diff = changed(before, row_counts())
        diff.pop(ImportJob._meta.label, None)
        assert job.status in (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED), job.status
        if job.status != ImportStatus.DONE:
            assert CHINESE.search(job.message), job.message
            assert not diff, f"{job.status} but wrote {diff}"
        else:
            assert AuditEntry._meta.label in diff
