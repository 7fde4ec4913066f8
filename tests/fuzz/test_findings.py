"""What the fuzzers found, each pinned as a plain test (the fix's regression test)."""

import datetime

import pytest
from django.urls import reverse

from projects.models import Agreement

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [" ", "abc", "30/02/2013", "-173090728324866932736", "9223372036854775808"])
def test_an_autocomplete_field_given_no_key_shows_the_form_again(client, cast, value):
    """The agreement form's 甲方 (an autocomplete field) posted " " or a number beyond any key: the form comes back
    with its error instead of a 500 (Django's widget looked the value up to show it again)."""
    client.force_login(cast["civil"])
    response = client.post(
        reverse("admin:projects_agreement_add"), {"kind": "framework", "title": "框架协议", "party_a": value}
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Agreement.objects.exists()


def test_an_activity_posted_with_more_photo_rows_than_it_has_shows_the_form_again(client, cast, unit_org):
    """The photos inline is read-only, but a post may claim photos-TOTAL_FORMS=1: the page came back with a 500
    (the preview of a photo that does not exist could not link to it) instead of the form's errors."""
    from projects.models import Activity
    from tests.casework_factories import live_project

    activity = Activity.objects.create(
        project=live_project(unit_org), type="group", title="小组", date=datetime.date(2014, 6, 1)
    )
    client.force_login(cast["unit"])
    post = {"title": "", "date": "2014-02-30", "photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "0"}
    for prefix in ("staff", "volunteers", "attendances"):
        post |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:projects_activity_change", args=[activity.pk]), post)
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.title == "小组"


@pytest.mark.parametrize("selected", ["", "abc", "9223372036854775808"])
def test_a_list_action_on_ids_that_are_no_ids_selects_nothing(admin_client, selected):
    """A list action (删除所选) posted with a record id that is no id answered 500 (Django filtered by it as it
    came); now such ids are dropped, and with none left the list says that something must be selected."""
    from projects.models import ServiceCategory
    from tests.factories import ServiceCategoryFactory

    ServiceCategoryFactory()
    response = admin_client.post(
        reverse("admin:projects_servicecategory_changelist"),
        {"action": "delete_selected", "select_across": "0", "index": "0", "_selected_action": [selected]},
    )
    assert response.status_code == 302
    assert ServiceCategory.objects.count() == 1


def test_the_user_list_action_on_ids_that_are_no_ids_selects_nothing(admin_client, superuser):
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "select_across": "0", "index": "0", "_selected_action": ["x"]},
    )
    assert response.status_code == 302
    assert type(superuser).objects.filter(pk=superuser.pk).exists()


def test_a_multiple_choice_of_records_given_a_number_beyond_any_key_shows_the_form_again(admin_client):
    """The social worker's 项目 (a multiple choice) posted with 9999…9 answered 500 (SQLite cannot take the
    number); now the form says the value is no valid choice."""
    from projects.models import SocialWorker

    response = admin_client.post(reverse("admin:projects_socialworker_add"), {"name": "何晓燕", "projects": ["9" * 40]})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not SocialWorker.objects.exists()
