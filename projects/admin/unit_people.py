"""Each unit's social workers (社工) and volunteers (义工) in the admin, phones masked."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from projects import permissions, privacy
from projects.admin.base import ListExportMixin, QicaiModelAdmin, UserAwareForm
from projects.admin.reveal import RevealMixin
from projects.exports import SocialWorkerResource, VolunteerResource
from projects.models import (
    ActivityVolunteer,
    SocialWorker,
    Volunteer,
)
from projects.services import (
    unit_person_save,
)
from projects.validators import normalize_phone

# -- people of the units -------------------------------------------------------------------


class UnitPersonForm(UserAwareForm):
    """A social worker or volunteer. An existing record's phone number is never put into the page:
    it shows masked, a correction goes into an empty field, and its unit may reveal it (logged)."""

    new_phone = forms.CharField(label=_("更正联系电话"), required=False, max_length=30, help_text=_("留空则不变。"))

    def clean_new_phone(self):
        value = self.cleaned_data["new_phone"]
        try:
            return normalize_phone(value) if value.strip() else ""
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class UnitPersonAdmin(RevealMixin, ListExportMixin, QicaiModelAdmin):
    form = UnitPersonForm
    owner_field = ""
    revealable = ("phone",)
    person_fields: list[str] = []
    change_form_template = "admin/projects/unit_person_change_form.html"

    def can_view_object(self, user, obj):
        return permissions.can_view_unit_record(user, getattr(obj, f"{self.owner_field}_id"))

    def can_change_object(self, user, obj):
        return permissions.can_keep_unit_people(user) and self.can_view_object(user, obj)

    def get_fields(self, request, obj=None):
        owner = [] if permissions.is_implementing_unit(request.user) else [self.owner_field]
        if obj is None:
            return [*self.person_fields, "phone", *owner]
        phone = ["phone_display", "new_phone"] if self.has_change_permission(request, obj) else ["phone_display"]
        return [*self.person_fields, *phone, *owner]

    def get_readonly_fields(self, request, obj=None):
        return ["phone_display"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        unit_person_save(
            person=obj, by=request.user, owner_field=self.owner_field, new_phone=form.cleaned_data.get("new_phone", "")
        )

    @admin.display(description=_("联系电话"))
    def phone_display(self, person):
        return privacy.masked(person, "phone")


@admin.register(SocialWorker)
class SocialWorkerAdmin(UnitPersonAdmin):
    export_resource = SocialWorkerResource
    owner_field = "employer"
    person_fields = ["name", "gender", "certification", "certificate_number", "is_supervisor", "projects", "is_active"]
    list_display = ["name", "gender", "employer", "certification", "is_supervisor", "phone_display", "is_active"]
    list_filter = ["certification", "is_supervisor", "is_active"]
    autocomplete_fields = ["employer", "projects"]


@admin.register(Volunteer)
class VolunteerAdmin(UnitPersonAdmin):
    export_resource = VolunteerResource
    owner_field = "organization"
    person_fields = ["name", "gender", "skills", "registered_on", "is_active"]
    list_display = ["name", "gender", "organization", "skills", "registered_on", "hours_total", "phone_display"]
    list_filter = ["is_active"]
    autocomplete_fields = ["organization"]

    def get_queryset(self, request):
        # A correlated subquery runs for the page's rows only; a JOIN + GROUP BY summed every volunteer's hours.
        hours = ActivityVolunteer.objects.filter(volunteer=OuterRef("pk")).order_by().values("volunteer")
        return super().get_queryset(request).annotate(total_hours=Subquery(hours.annotate(h=Sum("hours")).values("h")))

    @admin.display(description=_("累计服务时数"), ordering="total_hours")
    def hours_total(self, volunteer):
        return volunteer.total_hours or 0
