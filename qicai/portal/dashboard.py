"""The dashboard: a round's story in figures and charts, scoped to the user."""

from django.http import Http404


def dashboard(request):
    raise Http404
