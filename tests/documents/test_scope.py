"""Who may print what: every document's URL for every role, the refusals (another unit guessing ids, an
evaluator, anonymous), the wrong method, and links shown only where the download would succeed.

Layout is skipped (``no_layout``): the templates render, WeasyPrint does not lay them out."""

import pytest
from django.urls import reverse

from projects import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF = ["committee", "civil", "association"]


def get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def assert_pdf(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; ")


def assert_refused_like_nothing(client, user, url, made_up):
    """A 404, word for word the answer for a record that does not exist."""
    refused, missing = get(client, user, url), get(client, user, made_up)
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content


@pytest.mark.parametrize("role", [*STAFF, "unit"])
def test_an_agreement_prints_for_staff_and_its_unit(client, cast, agreement, no_layout, role):
    assert_pdf(get(client, cast[role], reverse("documents:agreement", args=[agreement.pk])))
    assert agreement.number in no_layout.rendered[-1]


@pytest.mark.parametrize("role", ["unit2", "evaluator"])
def test_an_agreement_is_nobody_elses(client, cast, agreement, evaluation, no_layout, role):
    url = reverse("documents:agreement", args=[agreement.pk])
    assert_refused_like_nothing(client, cast[role], url, reverse("documents:agreement", args=[agreement.pk + 999]))
    assert not no_layout.rendered


def test_the_framework_agreement_is_the_programmes(client, cast, framework, no_layout):
    url = reverse("documents:agreement", args=[framework.pk])
    assert_pdf(get(client, cast["association"], url))
    for role in ("unit", "unit2", "evaluator"):
        assert get(client, cast[role], url).status_code == 404


@pytest.mark.parametrize("role", [*STAFF, "evaluator"])
def test_an_open_evaluations_blank_sheet(client, cast, evaluation, evaluator2, no_layout, role):
    assert_pdf(get(client, cast[role], reverse("documents:score_sheet", args=[evaluation.pk])))
    assert "评估专家（签字）" in no_layout.rendered[-1]


def test_an_open_evaluations_sheet_is_not_its_units_nor_an_unassigned_experts(client, cast, evaluation, no_layout):
    url = reverse("documents:score_sheet", args=[evaluation.pk])
    made_up = reverse("documents:score_sheet", args=[evaluation.pk + 999])
    outsider = UserFactory(username="evaluator3", role=roles.EVALUATOR)
    for user in (cast["unit"], cast["unit2"], outsider):
        assert_refused_like_nothing(client, user, url, made_up)


def test_a_finalised_sheet_is_its_units_too(client, cast, finalised, no_layout):
    url = reverse("documents:score_sheet", args=[finalised.pk])
    assert_pdf(get(client, cast["unit"], url))
    assert get(client, cast["unit2"], url).status_code == 404


def test_a_certificate_prints_for_staff_and_its_unit_only(client, cast, award, other_award, no_layout):
    url = reverse("documents:certificate", args=[award.pk])
    for role in [*STAFF, "unit"]:
        assert_pdf(get(client, cast[role], url))
    made_up = reverse("documents:certificate", args=[award.pk + 999])
    for role in ("unit2", "evaluator"):
        assert_refused_like_nothing(client, cast[role], url, made_up)
    # and the unit may not print the other unit's, by guessing its id
    assert get(client, cast["unit"], reverse("documents:certificate", args=[other_award.pk])).status_code == 404
    assert_pdf(get(client, cast["unit2"], reverse("documents:certificate", args=[other_award.pk])))


def test_a_dossier_prints_for_staff_and_its_unit_not_its_evaluators(client, cast, running, evaluation, no_layout):
    url = reverse("documents:dossier", args=[running.code])
    for role in [*STAFF, "unit"]:
        assert_pdf(get(client, cast[role], url))
    made_up = reverse("documents:dossier", args=["QC-2014-999"])
    for role in ("unit2", "evaluator"):  # the evaluator reads the portal's dossier, but prints only score sheets
        assert_refused_like_nothing(client, cast[role], url, made_up)
    assert get(client, cast["evaluator"], reverse("portal:project", args=[running.code])).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, agreement, award, finalised, running, round_2014, no_layout):
    urls = [
        reverse("documents:agreement", args=[agreement.pk]),
        reverse("documents:certificate", args=[award.pk]),
        reverse("documents:score_sheet", args=[finalised.pk]),
        reverse("documents:dossier", args=[running.code]),
        reverse("documents:round_document", args=[round_2014.year, "certificates"]),
        reverse("documents:generated", args=[1]),
        reverse("documents:generated_download", args=[1]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("portal:login")), url
    assert client.post(urls[4]).status_code == 302
    assert not no_layout.rendered


def test_documents_are_only_read(client, cast, agreement, running, no_layout):
    client.force_login(cast["civil"])
    assert client.post(reverse("documents:agreement", args=[agreement.pk])).status_code == 405
    assert client.post(reverse("documents:dossier", args=[running.code])).status_code == 405


# -- links where the download would succeed, and nowhere else ----------------------------------------


def test_the_portal_dossier_links_the_units_documents(client, cast, running, agreement, award, finalised):
    client.force_login(cast["unit"])
    body = client.get(reverse("portal:project", args=[running.code])).content.decode()
    for url in (
        reverse("documents:dossier", args=[running.code]),
        reverse("documents:agreement", args=[agreement.pk]),
        reverse("documents:certificate", args=[award.pk]),
        reverse("documents:score_sheet", args=[finalised.pk]),
    ):
        assert f'href="{url}"' in body


def test_an_evaluator_is_offered_its_sheet_and_no_dossier(client, cast, running, evaluation):
    client.force_login(cast["evaluator"])
    body = client.get(reverse("portal:project", args=[running.code])).content.decode()
    assert reverse("documents:score_sheet", args=[evaluation.pk]) in body
    assert reverse("documents:dossier", args=[running.code]) not in body


def test_the_workbench_pages_link_their_documents(client, cast, running, agreement, award, evaluation, round_2014):
    client.force_login(cast["civil"])
    pages = {
        reverse("admin:projects_agreement_change", args=[agreement.pk]): reverse(
            "documents:agreement", args=[agreement.pk]
        ),
        reverse("admin:projects_evaluation_change", args=[evaluation.pk]): reverse(
            "documents:score_sheet", args=[evaluation.pk]
        ),
        reverse("admin:awards_awardrecord_change", args=[award.pk]): reverse("documents:certificate", args=[award.pk]),
        reverse("admin:projects_round_change", args=[round_2014.pk]): reverse(
            "documents:round_document", args=[round_2014.year, "certificates"]
        ),
        reverse("admin:projects_project_change", args=[running.pk]): reverse("documents:dossier", args=[running.code]),
    }
    for page, document in pages.items():
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'href="{document}"' in response.content.decode(), page


def test_the_workbench_offers_a_unit_no_round_certificates(client, cast, round_2014, award):
    client.force_login(cast["unit"])
    body = client.get(reverse("admin:projects_round_change", args=[round_2014.pk])).content.decode()
    assert reverse("documents:round_document", args=[round_2014.year, "certificates"]) not in body
