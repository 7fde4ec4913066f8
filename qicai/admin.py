"""The user admin's account tools: who uses two-factor sign-in, resetting it, reactivating idle accounts.

django-otp's own device admins are removed: they would show every user's secret key and QR code to any
superuser. A user's authenticator is set up and changed by its owner (两步验证 in the portal) and only
ever removed by an administrator (the reset action below, audited).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects import permissions
from projects.admin.directory import QicaiUserAdmin
from qicai import accounts, two_factor

User = get_user_model()

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

admin.site.unregister(User)


@admin.register(User)
class AccountUserAdmin(QicaiUserAdmin):
    list_display = [*QicaiUserAdmin.list_display, "two_factor"]
    actions = [two_factor.reset_two_factor_action]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(confirmed))

    @admin.display(description=_("两步验证"), boolean=True, ordering="has_two_factor")
    def two_factor(self, user):
        return getattr(user, "has_two_factor", None)

    def has_reset_two_factor_permission(self, request):
        return permissions.can_reset_two_factor(request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and obj.is_active and "is_active" in form.changed_data:
            accounts.reactivate(obj, by=request.user)
