"""The project's URLs plus a view that fails, for the 500 page test."""

from django.urls import path

from qicai.urls import urlpatterns as project_urlpatterns


def explode(request):
    raise RuntimeError("secret detail: token=s3cr3t in /srv/qicai/projects/services.py")


urlpatterns = [path("explode/", explode), *project_urlpatterns]
