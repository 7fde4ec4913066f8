from django.contrib import admin
from django.urls import include, path

from qicai import health

urlpatterns = [
    # For the load balancer: no sign-in, JSON, never cached (qicai/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("documents/", include("qicai.documents.urls")),
    path("", include("qicai.portal.urls")),
]
