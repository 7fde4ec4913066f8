from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from qicai import two_factor
from qicai.accounts import SignInForm
from qicai.portal import dashboard, directory, dossier, public

app_name = "portal"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("projects/", directory.project_list, name="projects"),
    path("projects/export/", directory.project_export, name="projects_export"),
    path("projects/<str:code>/", dossier.project_detail, name="project"),
    path("public/", public.public_index, name="public"),
    path("public/fields/", public.public_fields, name="public_fields"),
    path("public/<int:year>/", public.public_round, name="public_round"),
    path("public/<int:year>/print/", public.public_print, name="public_print"),
    path("public/<int:year>/projects.<str:fmt>", public.public_open_data, name="public_open_data"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html", authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="portal/password_change.html", success_url=reverse_lazy("portal:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="portal/password_change_done.html"),
        name="password_change_done",
    ),
    # Two-factor sign-in (qicai.two_factor): the second step, set-up, recovery codes, the account page.
    path("accounts/two-factor/", two_factor.account, name="two_factor"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/recovery-codes/", two_factor.recovery_codes, name="two_factor_codes"),
    path(
        "accounts/two-factor/recovery-codes.txt",
        two_factor.recovery_codes_download,
        name="two_factor_codes_download",
    ),
    path("accounts/two-factor/recovery-codes/new/", two_factor.regenerate, name="two_factor_regenerate"),
    path("accounts/two-factor/disable/", two_factor.disable_view, name="two_factor_disable"),
]
