"""A project's dossier: a readable page of everything the user may see of one project."""

from django.http import Http404


def project_detail(request, code):
    raise Http404
