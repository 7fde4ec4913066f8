from django.urls import path

from qicai.documents import views

app_name = "documents"

urlpatterns = [
    path("agreements/<int:pk>.pdf", views.agreement_pdf, name="agreement"),
    path("evaluations/<int:pk>.pdf", views.score_sheet_pdf, name="score_sheet"),
    path("awards/<int:pk>.pdf", views.certificate_pdf, name="certificate"),
    path("projects/<str:code>.pdf", views.dossier_pdf, name="dossier"),
    path("rounds/<int:year>/<slug:kind>/", views.round_document, name="round_document"),
    path("generated/<int:pk>/", views.generated, name="generated"),
    path("generated/<int:pk>/download/", views.generated_download, name="generated_download"),
]
