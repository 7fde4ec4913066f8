"""Cases (个案) in the admin, with personal data protected, and the district-wide person keys.

- ID numbers, birth dates and phone numbers are masked everywhere (``projects.privacy`` holds the
  rule); a unit holding ``view_personal_data`` reveals one value of its own records at a time by
  POST (``projects.admin.reveal``), and each reveal is logged.
- No personal data in URLs: no GET search over people (a POST lookup instead), no
  autocomplete over cases; ``__str__`` of people-records are case numbers.
- A unit sees only the cases and follow-ups of its own projects, and each case holds only what
  that unit recorded; the district-wide person key is for programme staff alone.
"""

import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import permissions, privacy
from projects.admin.base import (
    AutocompleteFilterMedia,
    DateRangeFilter,
    ListExportMixin,
    ParentGuardedInline,
    ProjectAutocompleteFilter,
    QicaiModelAdmin,
    ReadOnlyInline,
    model_view,
    object_view,
)
from projects.admin.case_forms import (
    INTAKE_FIELDSETS,
    CloseForm,
    EnrollmentAddForm,
    EnrollmentChangeForm,
)
from projects.admin.reveal import RevealMixin
from projects.audit import log_case_read
from projects.exports import EnrollmentResource, FollowUpResource
from projects.forms import DATE_WIDGET
from projects.models import (
    Beneficiary,
    Enrollment,
    FollowUp,
    NeedAssessment,
    SocialWorker,
)
from projects.services import (
    WorkflowError,
    casework_row_delete,
    casework_row_save,
    enrollment_close,
    enrollment_correct_identity,
    enrollment_open,
    enrollment_update,
    follow_up_delete,
    follow_up_save,
    normalized_id,
)
from projects.validators import default_in_window

# -- the district-wide person keys (programme staff only) ---------------------------------------


class EnrollmentOfBeneficiaryInline(ReadOnlyInline):
    model = Enrollment
    fields = ["code", "project", "intake_date", "status"]
    readonly_fields = fields
    verbose_name_plural = _("该服务对象的个案")

    def get_queryset(self, request):
        return Enrollment.objects.visible_to(request.user).select_related("project")


@admin.register(Beneficiary)
class BeneficiaryAdmin(QicaiModelAdmin):
    """Who is one person across projects and units: for programme staff holding ``view_beneficiary``.

    The key holds no identity (that lives on each unit's case): this page shows the masked number
    and the cases, and is how the district counts unique people served.
    """

    big_table = True  # hundreds of thousands of rows in a city: counted by the planner's estimate when whole

    list_display = ["code", "id_display", "case_count_display", "created_at"]
    readonly_fields = ["code", "id_display", "created_at"]
    fields = readonly_fields
    inlines = [EnrollmentOfBeneficiaryInline]

    def can_view_object(self, user, obj):
        return permissions.can_view_beneficiary(user, obj)

    def has_view_permission(self, request, obj=None):
        return permissions.can_see_same_person(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False  # a person key is registered by opening a case (个案建档)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("身份证号"))
    def id_display(self, beneficiary):
        return privacy.mask_id(beneficiary.id_number) or "—"

    @admin.display(description=_("个案数"), ordering="case_count")
    def case_count_display(self, beneficiary):
        return beneficiary.case_count


# -- enrolments (个案) -----------------------------------------------------------------------


class CaseworkInline(ParentGuardedInline):
    """Rows of a case or an activity: kept by the project's unit while the service runs."""

    def parent_editable(self, user, parent):
        return permissions.can_keep_casework(user, parent.project)


class NeedAssessmentInline(CaseworkInline):
    model = NeedAssessment
    fields = ["need", "severity", "note"]


class FollowUpInline(NeedAssessmentInline):
    model = FollowUp
    fields = ["date", "method", "social_worker", "risk_level", "needs_change", "circumstances", "note"]
    verbose_name_plural = _("新增跟踪记录")

    def get_queryset(self, request):
        return super().get_queryset(request).none()  # existing ones are shown as the timeline above

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is not None and permissions.can_keep_casework(request.user, obj.project) else 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "social_worker":
            kwargs["queryset"] = SocialWorker.objects.visible_to(request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["date"].widget = DATE_WIDGET()
        if obj is not None:
            # Today while the project runs; its last day once it has ended (never before the intake).
            project = obj.project
            latest = min(filter(None, [project.end_date, datetime.date.today()]))
            formset.form.base_fields["date"].initial = max(
                default_in_window(project.round.year, latest), obj.intake_date or datetime.date.min
            )
        return formset


# What a unit learns at intake, on both the new-case form and the case page.


@admin.register(Enrollment)
class EnrollmentAdmin(AutocompleteFilterMedia, RevealMixin, ListExportMixin, QicaiModelAdmin):
    big_table = True  # hundreds of thousands of rows in a city: counted by the planner's estimate when whole
    export_resource = EnrollmentResource
    change_form_template = "admin/projects/enrollment/change_form.html"
    change_list_template = "admin/projects/enrollment/change_list.html"
    revealable = privacy.REVEALABLE_FIELDS
    row_services = {
        NeedAssessment: (casework_row_save, casework_row_delete),
        FollowUp: (
            lambda row, by: follow_up_save(follow_up=row, by=by),
            lambda row, by: follow_up_delete(follow_up=row, by=by),
        ),
    }
    list_display = [
        "code",
        "name",
        "gender",
        "birth_year_display",
        "id_display",
        "project",
        "intake_date",
        "risk_level",
        "status",
        "follow_up_count",
        "last_follow_up",
    ]
    list_filter = [
        "status",
        "risk_level",
        "special_group",
        "project__round",
        ("project", ProjectAutocompleteFilter),
        DateRangeFilter.on("intake_date", _("接案日期")),
    ]
    # Newest intake first, served by the index enrollment_intake (the model's ordering goes through the project).
    ordering = ["-intake_date", "-pk"]
    inlines = [NeedAssessmentInline, FollowUpInline]
    readonly_fields = [
        "code",
        "person_key",
        "project",
        "status",
        "birth_year_display",
        "id_display",
        "phone_display",
        "closed_on",
        "closing_summary",
        "timeline",
    ]
    add_fieldsets = [
        (_("所属项目"), {"fields": ["project"]}),
        (
            _("服务对象身份（本单位的记录）"),
            {"fields": ["name", "id_number", "gender", "date_of_birth", "phone", "community", "special_group"]},
        ),
        *INTAKE_FIELDSETS,
    ]

    def get_queryset(self, request):
        # Correlated subqueries run for the page's rows only; a JOIN + GROUP BY would aggregate the whole table.
        follow_ups = FollowUp.objects.filter(enrollment=OuterRef("pk")).order_by().values("enrollment")
        return (
            super()
            .get_queryset(request)
            .annotate(
                follow_up_total=Coalesce(Subquery(follow_ups.annotate(n=Count("pk")).values("n")), 0),
                follow_up_latest=Subquery(follow_ups.annotate(d=Max("date")).values("d")),
            )
        )

    def get_list_display(self, request):
        if permissions.can_see_same_person(request.user):
            return [*self.list_display[:1], "person_key", *self.list_display[1:]]
        return self.list_display

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj.project)

    def can_change_object(self, user, obj):
        return permissions.can_change_case(user, obj)

    def get_object(self, request, object_id, from_field=None):
        """The case, and a read of its file in the access log (its page, its close and reveal pages)."""
        enrollment = super().get_object(request, object_id, from_field)
        if self.has_view_or_change_permission(request, enrollment):
            log_case_read(user=request.user, enrollment=enrollment)
        return enrollment

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        user = request.user
        return super().has_add_permission(request) and permissions.can_open_cases(user)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        editing = self.has_change_permission(request, obj)
        # With an ID number, birth date and gender are the number's: they change by correcting it.
        corrections = ["new_id_number", "new_phone"] if editing else []
        if editing and not obj.beneficiary.id_number:
            corrections.insert(1, "new_date_of_birth")
        heading = ["code", "project", "status"]
        if permissions.can_see_same_person(request.user):
            heading.append("person_key")
        return [
            (None, {"fields": heading}),
            (
                _("服务对象身份（本单位的记录；身份证号、出生日期和电话已脱敏）"),
                {
                    "fields": [
                        "name",
                        "gender",
                        "birth_year_display",
                        "id_display",
                        "phone_display",
                        "community",
                        "special_group",
                        *corrections,
                    ]
                },
            ),
            *INTAKE_FIELDSETS,
            (_("跟踪记录"), {"fields": ["timeline"]}),
            (_("结案"), {"fields": ["closed_on", "closing_summary"], "classes": ["collapse"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.readonly_fields, "gender"] if obj.beneficiary.id_number else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = EnrollmentAddForm
            kwargs["fields"] = None
        else:
            kwargs["form"] = EnrollmentChangeForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            enrollment_update(enrollment=obj, by=request.user)
            corrections = {
                "id_number": form.cleaned_data.get("new_id_number") or "",
                "phone": form.cleaned_data.get("new_phone") or "",
                "date_of_birth": form.cleaned_data.get("new_date_of_birth"),
            }
            if any(corrections.values()):
                enrollment_correct_identity(enrollment=obj, by=request.user, **corrections)
            return
        enrollment_open(enrollment=obj, by=request.user, id_number=form.cleaned_data.get("id_number", ""))

    @admin.display(description=_("服务对象编号"), ordering="beneficiary__code")
    def person_key(self, enrollment):
        url = reverse("admin:projects_beneficiary_change", args=[enrollment.beneficiary_id])
        return format_html('<a href="{}">{}</a>', url, enrollment.beneficiary.code)

    @admin.display(description=_("出生年份"))
    def birth_year_display(self, enrollment):
        return privacy.masked(enrollment, "date_of_birth")

    @admin.display(description=_("身份证号"))
    def id_display(self, enrollment):
        return privacy.masked(enrollment, "id_number")

    @admin.display(description=_("联系电话"))
    def phone_display(self, enrollment):
        return privacy.masked(enrollment, "phone")

    @admin.display(description=_("跟踪次数"), ordering="follow_up_total")
    def follow_up_count(self, enrollment):
        return enrollment.follow_up_total

    @admin.display(description=_("最近跟踪"), ordering="follow_up_latest")
    def last_follow_up(self, enrollment):
        return enrollment.follow_up_latest or "—"

    @admin.display(description=_("跟踪时间线"))
    def timeline(self, enrollment):
        follow_ups = enrollment.follow_ups.select_related("social_worker").order_by("date", "pk")
        if not follow_ups:
            return gettext("暂无跟踪记录。")
        return format_html(
            '<ol class="timeline">{}</ol>',
            format_html_join(
                "",
                '<li><span class="timeline-date">{}</span> <span class="timeline-meta">{} · {} · {}：{}</span>'
                "<div>{}</div>{}</li>",
                (
                    (
                        f.date.isoformat(),
                        f.get_method_display(),
                        f.social_worker or "—",
                        gettext("风险"),
                        f.get_risk_level_display(),
                        f.note,
                        format_html('<div class="timeline-change">{}</div>', f.needs_change) if f.needs_change else "",
                    )
                    for f in follow_ups
                ),
            ),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_close"] = permissions.can_change_case(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("lookup/", view(self.lookup_view), name="projects_enrollment_lookup"),
            path("<path:object_id>/close/", view(self.close_view), name="projects_enrollment_close"),
            *super().get_urls(),
        ]

    @model_view("POST")
    def lookup_view(self, request):
        """Find cases by name or ID number without putting either into a URL: POST only, within scope."""
        term = " ".join((request.POST.get("q") or "").replace("\u3000", " ").split())[:40]
        results = Enrollment.objects.none()
        error = ""
        if term:
            visible = self.get_queryset(request)
            try:
                id_number = normalized_id(term) if any(c.isdigit() for c in term) else ""
            except WorkflowError as problem:
                error = problem.message
                id_number = ""
            if id_number:
                try:
                    privacy.log_id_lookup(user=request.user)
                except privacy.LookupLimitReached:
                    error = gettext("按身份证号查找过于频繁（每小时最多 %(limit)d 次），请稍后再试，或按姓名查找。") % {
                        "limit": settings.QICAI_ID_LOOKUPS_PER_HOUR
                    }
                else:
                    results = visible.filter(beneficiary__id_number=id_number)
            elif not error:
                results = visible.filter(name__contains=term)
            results = results.order_by("code")[:100]
        response = self.render_view(
            request,
            "admin/projects/enrollment/lookup.html",
            title=gettext("查找个案"),
            results=[(e, privacy.masked(e, "id_number"), privacy.masked(e, "date_of_birth")) for e in results],
            searched=bool(term),
            error=error,
        )
        response["Cache-Control"] = "no-store"
        return response

    @object_view("GET", "POST")
    def close_view(self, request, enrollment):
        change_url = self.change_url(enrollment)
        form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                enrollment_close(
                    enrollment=enrollment,
                    by=request.user,
                    closed_on=form.cleaned_data["closed_on"],
                    summary=form.cleaned_data["summary"],
                )
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, gettext("个案 %(case)s 已结案。") % {"case": enrollment})
                return HttpResponseRedirect(change_url)
        return self.render_view(
            request,
            "admin/projects/enrollment/close.html",
            title=gettext("结案：%(case)s") % {"case": enrollment},
            form=form,
            change_url=change_url,
            object=enrollment,
        )


@admin.register(FollowUp)
class FollowUpAdmin(ListExportMixin, QicaiModelAdmin):
    big_table = True  # hundreds of thousands of rows in a city: counted by the planner's estimate when whole
    export_resource = FollowUpResource
    list_display = ["date", "case", "method", "social_worker", "risk_level", "recorded_by"]
    list_filter = ["risk_level", "method", "enrollment__project__round", DateRangeFilter.on("date", _("跟踪日期"))]
    # Newest first, served by the index followup_date (the model's ordering goes through case and project).
    ordering = ["-date", "-pk"]
    fields = ["enrollment", "date", "method", "social_worker", "risk_level", "needs_change", "circumstances", "note"]
    readonly_fields = ["enrollment"]

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj.enrollment.project)

    def get_object(self, request, object_id, from_field=None):
        """A follow-up's page shows its case's file: a read of that case in the access log."""
        follow_up = super().get_object(request, object_id, from_field)
        if self.has_view_or_change_permission(request, follow_up):
            log_case_read(user=request.user, enrollment=follow_up.enrollment)
        return follow_up

    def can_change_object(self, user, obj):
        return permissions.can_keep_casework(user, obj.enrollment.project)

    def has_add_permission(self, request):
        return False  # added on the enrolment's page, under its timeline

    def save_model(self, request, obj, form, change):
        follow_up_save(follow_up=obj, by=request.user)

    @admin.display(description=_("个案"), ordering="enrollment")
    def case(self, follow_up):
        return str(follow_up.enrollment)
