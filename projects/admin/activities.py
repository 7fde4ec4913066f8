"""Service activities (服务活动) in the admin: participants, attending cases, hours and photos."""

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Q, Subquery, Sum
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.admin.base import (
    AutocompleteFilterMedia,
    DateRangeFilter,
    ListExportMixin,
    ProjectAutocompleteFilter,
    QicaiModelAdmin,
    ReadOnlyInline,
    UserAwareForm,
    object_view,
)
from projects.admin.cases import CaseworkInline
from projects.exports import ActivityResource
from projects.forms import DATE_WIDGET
from projects.models import (
    Activity,
    ActivityPhoto,
    ActivityStaff,
    ActivityVolunteer,
    Enrollment,
    Project,
    SocialWorker,
    Volunteer,
)
from projects.services import (
    WorkflowError,
    activity_photo_add,
    activity_record,
    casework_row_delete,
    casework_row_save,
)
from projects.uploads import file_response

# -- activities --------------------------------------------------------------------------


class EnrollmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, enrollment):
        return f"{enrollment.name}（{enrollment.code}）"


class ActivityForm(UserAwareForm):
    class Meta:
        model = Activity
        fields = ["project", "type", "title", "date", "venue", "participants", "attendees", "description"]
        widgets = {"date": DATE_WIDGET()}
        field_classes = {"attendees": EnrollmentChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # On a read-only view page (a completed project, a programme-staff reader) the admin builds
        # the form without the fields it shows as text.
        live = Project.objects.casework_by(self.current_user)
        if "project" in self.fields:
            self.fields["project"].queryset = live
        if "attendees" in self.fields:
            # Open cases may be added; cases that attended and have since closed stay on the activity.
            attended = Q(pk__in=self.instance.attendees.values("pk")) if self.instance.pk else Q(pk__in=[])
            self.fields["attendees"].queryset = (
                Enrollment.objects.visible_to(self.current_user)
                .filter(Q(project__in=live, status=Enrollment.Status.OPEN) | attended)
                .select_related("project")
            )
            self.fields["attendees"].required = False


class ActivityPartInline(CaseworkInline):
    extra = 1


class ActivityStaffInline(ActivityPartInline):
    model = ActivityStaff

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "social_worker":
            kwargs["queryset"] = SocialWorker.objects.visible_to(request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ActivityVolunteerInline(ActivityPartInline):
    model = ActivityVolunteer

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "volunteer":
            kwargs["queryset"] = Volunteer.objects.visible_to(request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ActivityPhotoInline(ReadOnlyInline):
    model = ActivityPhoto
    fields = ["preview", "caption", "uploaded_at"]
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("照片"))
    def preview(self, photo):
        if photo.pk is None:  # a row a hostile post added to the read-only inline (management form's count)
            return ""
        url = reverse("admin:projects_activity_photo", args=[photo.activity_id, photo.pk])
        return format_html('<a href="{}"><img src="{}" alt="" class="photo-thumb"></a>', url, url)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("活动照片（JPEG 或 PNG，不超过 10 MB）"))
    caption = forms.CharField(label=_("说明"), required=False, max_length=100)


@admin.register(Activity)
class ActivityAdmin(AutocompleteFilterMedia, ListExportMixin, QicaiModelAdmin):
    big_table = True  # hundreds of thousands of rows in a city: counted by the planner's estimate when whole
    export_resource = ActivityResource
    form = ActivityForm
    change_form_template = "admin/projects/activity/change_form.html"
    list_display = ["date", "title", "project", "type", "venue", "participants", "volunteer_hours"]
    list_filter = [
        "type",
        "project__round",
        ("project", ProjectAutocompleteFilter),
        DateRangeFilter.on("date", _("活动日期")),
    ]
    search_fields = ["title", "project__code"]
    ordering = ["-date", "-pk"]  # the model's, served by the index activity_date
    autocomplete_fields = ["venue"]
    filter_horizontal = ["attendees"]
    inlines = [ActivityStaffInline, ActivityVolunteerInline, ActivityPhotoInline]
    row_services = {ActivityStaff: (casework_row_save, casework_row_delete)}
    row_services[ActivityVolunteer] = row_services[ActivityStaff]

    def save_model(self, request, obj, form, change):
        attendees = form.cleaned_data.get("attendees") if "attendees" in form.cleaned_data else None
        activity_record(activity=obj, by=request.user, attendees=attendees)

    def save_related(self, request, form, formsets, change):
        # The attendees were set by the service; the rest of the form has no many-to-many fields.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_queryset(self, request):
        hours = ActivityVolunteer.objects.filter(activity=OuterRef("pk")).order_by().values("activity")
        return (
            super()
            .get_queryset(request)
            .select_related("venue")
            .annotate(hours=Subquery(hours.annotate(h=Sum("hours")).values("h")))
        )

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj.project)

    def can_change_object(self, user, obj):
        return permissions.can_keep_casework(user, obj.project)

    def has_add_permission(self, request):
        user = request.user
        return super().has_add_permission(request) and permissions.can_open_cases(user)

    @admin.display(description=_("义工时数"), ordering="hours")
    def volunteer_hours(self, activity):
        return activity.hours or 0

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and permissions.can_keep_casework(request.user, obj.project):
            context["photo_form"] = PhotoForm()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/photo/upload/", view(self.photo_upload_view), name="projects_activity_photo_upload"),
            path("<path:object_id>/photo/<int:photo_id>/", view(self.photo_view), name="projects_activity_photo"),
            *super().get_urls(),
        ]

    @object_view("POST")
    def photo_upload_view(self, request, activity):
        form = PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, gettext("请选择要上传的照片。"))
        else:
            try:
                activity_photo_add(
                    activity=activity,
                    by=request.user,
                    upload=form.cleaned_data["photo"],
                    caption=form.cleaned_data["caption"],
                )
            except WorkflowError as error:
                messages.error(request, gettext("照片未保存：%(reason)s") % {"reason": error.message})
            else:
                messages.success(request, gettext("照片已上传。"))
        return HttpResponseRedirect(self.change_url(activity))

    @object_view("GET")
    def photo_view(self, request, activity, photo_id):
        photo = activity.photos.filter(pk=photo_id).first()
        if photo is None:
            raise Http404
        try:
            handle = photo.image.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        extension = photo.image.name.rsplit(".", 1)[-1]
        return file_response(
            handle, content_type=photo.content_type, download_name=f"photo-{photo.pk}.{extension}", inline=True
        )
