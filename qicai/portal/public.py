"""The public disclosure (公示 and 新项目发布) of each round: no login, nothing internal."""

from django.http import Http404


def _not_yet(*args, **kwargs):
    raise Http404


public_index = public_fields = public_round = public_print = public_open_data = _not_yet
