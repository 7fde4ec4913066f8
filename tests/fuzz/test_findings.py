"""What the fuzzers found, each pinned as a plain test (the fix's regression test)."""

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
