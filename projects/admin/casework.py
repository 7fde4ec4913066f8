"""Casework in the admin, with personal data protected.

- ID numbers, birth dates and phone numbers are masked everywhere (``projects.privacy`` holds the
  rule); a unit holding ``view_personal_data`` reveals one value of its own records at a time by
  POST, and each reveal is logged.
- No personal data in URLs: no GET search over people (a POST lookup instead), no
  autocomplete over cases; ``__str__`` of people-records are case numbers.
- A unit sees only the cases, follow-ups and activities of its own projects, and each case holds
  only what that unit recorded; the district-wide person key is for programme staff alone.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from projects import permissions, privacy
from projects.admin.base import ParentGuardedInline, QicaiModelAdmin, ReadOnlyInline, UserAwareForm
from projects.exports import EnrollmentResource
from projects.forms import DATE_WIDGET
from projects.models import (
    Activity,
    ActivityPhoto,
    ActivityStaff,
    ActivityVolunteer,
    Beneficiary,
    CaseStory,
    Enrollment,
    FollowUp,
    NeedAssessment,
    Organization,
    PersonalDataAccess,
    Project,
    SocialWorker,
    Volunteer,
)
from projects.models.casework import Gender
from projects.services import (
    WorkflowError,
    activity_attendees_problem,
    activity_photo_add,
    case_story_mark_excellent,
    case_story_problems,
    enrollment_close,
    enrollment_correct_identity,
    enrollment_open,
    normalized_id,
    unit_person_save,
)
from projects.services.casework import IDENTITY_FIELDS, identity_from_id_number
from projects.validators import normalize_phone, validate_birth_date


def casework_projects(user):
    """The projects in which ``user`` may record casework now."""
    projects = Project.objects.visible_to(user).filter(status__in=permissions.CASEWORK_STATES)
    if not user.is_superuser:
        projects = projects.filter(implementing_unit_id=permissions.organization_id_of(user))
    return projects.select_related("round")


class RevealMixin:
    """Logged reveal of one full value of a people-record, by POST (``<id>/reveal/<field>/``).

    ``revealable`` lists the fields the model's pages may reveal; whether this user may reveal this
    record's values is ``permissions.can_reveal_personal_data``.
    """

    revealable: tuple[str, ...] = ()

    def reveal_buttons(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) of the reveal buttons the change page shows ``request.user`` for ``obj``."""
        if obj is None or not permissions.can_reveal_personal_data(request.user, obj):
            return []
        return [
            (privacy.field_label(field), reverse(f"admin:{self.url_prefix}_reveal", args=[obj.pk, field]))
            for field in self.revealable
            if privacy.full_value(obj, field)
        ]

    @property
    def url_prefix(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/reveal/<slug:field>/",
                self.admin_site.admin_view(self.reveal_view),
                name=f"{self.url_prefix}_reveal",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["reveal_buttons"] = self.reveal_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def reveal_view(self, request, object_id, field):
        """Show one full value to a user allowed to see it, and log that they did. POST only."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = self.get_object(request, unquote(object_id))
        if field not in self.revealable:
            raise Http404
        try:
            value = privacy.reveal(user=request.user, record=record, field=field)
        except PermissionError:
            raise PermissionDenied from None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("查看完整信息：%(record)s") % {"record": privacy.record_label(record)},
            "opts": self.opts,
            "record_label": privacy.record_label(record),
            "change_url": reverse(f"admin:{self.url_prefix}_change", args=[record.pk]),
            "label": privacy.field_label(field),
            "value": value,
        }
        response = TemplateResponse(request, "admin/projects/reveal.html", context)
        response["Cache-Control"] = "no-store"
        return response


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
        return formset


# What a unit learns at intake, on both the new-case form and the case page.
INTAKE_FIELDSETS = [
    (_("接案与同意"), {"fields": ["intake_date", "consent_on"]}),
    (
        _("家庭与个人情况"),
        {
            "fields": [
                "household_size",
                "family_situation",
                "subsistence",
                "income_level",
                "personal_traits",
                "social_factors",
                "risk_level",
            ]
        },
    ),
    (_("服务计划"), {"fields": ["service_plan", "goals"]}),
]
INTAKE_FIELDS = [name for _title, options in INTAKE_FIELDSETS for name in options["fields"]]


class EnrollmentAddForm(UserAwareForm):
    """个案建档: who the person is and what this unit learns at intake — all of it this unit's own record."""

    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=30,
        help_text=_("出生日期和性别按身份证号自动填写；没有身份证的可留空。"),
    )

    class Meta:
        model = Enrollment
        fields = ["project", *IDENTITY_FIELDS, *INTAKE_FIELDS]
        widgets = {"intake_date": DATE_WIDGET(), "consent_on": DATE_WIDGET(), "date_of_birth": DATE_WIDGET()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = casework_projects(self.current_user)
        self.fields["consent_on"].required = True
        self.fields["consent_on"].help_text = _("须先取得服务对象（或监护人）同意处理其个人信息。")
        self.fields["community"].queryset = Organization.objects.filter(type=Organization.Type.COMMUNITY)
        self.fields["gender"].required = False  # taken from the ID number when there is one
        self.fields["gender"].help_text = _("有身份证号的按身份证号自动填写。")

    def clean_gender(self):
        return self.cleaned_data["gender"] or Gender.UNKNOWN

    def clean_id_number(self):
        try:
            return normalized_id(self.cleaned_data["id_number"])
        except WorkflowError as error:
            raise forms.ValidationError(error.message) from None

    def clean(self):
        cleaned = super().clean()
        project, id_number = cleaned.get("project"), cleaned.get("id_number")
        if id_number:
            try:
                identity = identity_from_id_number(
                    {"date_of_birth": cleaned.get("date_of_birth"), "gender": cleaned.get("gender")}, id_number
                )
            except WorkflowError as error:
                self.add_error("id_number", error.message)
            else:
                cleaned.update(identity)
                self.instance.date_of_birth, self.instance.gender = identity["date_of_birth"], identity["gender"]
            if project and Enrollment.objects.filter(project=project, beneficiary__id_number=id_number).exists():
                self.add_error("id_number", gettext("该服务对象已在本项目建档。"))
        return cleaned


class EnrollmentChangeForm(UserAwareForm):
    """A case's own record. Full ID number, birth date and phone are never put into the page: corrections
    go into empty fields, and the values are revealed one at a time by a logged POST."""

    new_id_number = forms.CharField(
        label=_("更正身份证号"), required=False, max_length=30, help_text=_("留空则不变；原号码不会显示在此。")
    )
    new_date_of_birth = forms.DateField(
        label=_("更正出生日期"), required=False, widget=DATE_WIDGET(), help_text=_("留空则不变。")
    )
    new_phone = forms.CharField(label=_("更正联系电话"), required=False, max_length=30, help_text=_("留空则不变。"))

    class Meta:
        model = Enrollment
        fields = ["name", "gender", "community", "special_group", *INTAKE_FIELDS]
        widgets = {"intake_date": DATE_WIDGET(), "consent_on": DATE_WIDGET()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "community" in self.fields:
            self.fields["community"].queryset = Organization.objects.filter(type=Organization.Type.COMMUNITY)

    def clean_new_id_number(self):
        try:
            return normalized_id(self.cleaned_data["new_id_number"])
        except WorkflowError as error:
            raise forms.ValidationError(error.message) from None

    def clean_new_phone(self):
        value = self.cleaned_data["new_phone"]
        try:
            return normalize_phone(value) if value.strip() else ""
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_new_date_of_birth(self):
        value = self.cleaned_data["new_date_of_birth"]
        if value is not None:
            try:
                validate_birth_date(value)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return value

    def clean(self):
        # Checked only against what the user typed now, never against the stored ID number: an answer
        # that depended on it ("the birth date does not match") would let the number be rebuilt.
        cleaned = super().clean()
        new_id = cleaned.get("new_id_number")
        if new_id:
            try:
                identity = identity_from_id_number({"date_of_birth": cleaned.get("new_date_of_birth")}, new_id)
            except WorkflowError as error:
                self.add_error("new_date_of_birth", error.message)
            else:
                cleaned["gender"] = self.instance.gender = identity["gender"]
            if (
                new_id != self.instance.beneficiary.id_number
                and Enrollment.objects.filter(project=self.instance.project, beneficiary__id_number=new_id)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error("new_id_number", gettext("该身份证号已在本项目的另一个案中登记。"))
        return cleaned


@admin.register(Enrollment)
class EnrollmentAdmin(RevealMixin, ExportMixin, QicaiModelAdmin):
    resource_classes = [EnrollmentResource]
    change_form_template = "admin/projects/enrollment/change_form.html"
    change_list_template = "admin/projects/enrollment/change_list.html"
    revealable = privacy.REVEALABLE_FIELDS
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
        ("project", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "intake_date"
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
        return permissions.can_keep_casework(user, obj.project) and obj.status == Enrollment.Status.OPEN

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        user = request.user
        return super().has_add_permission(request) and (user.is_superuser or casework_projects(user).exists())

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
            super().save_model(request, obj, form, change)
            corrections = {
                "id_number": form.cleaned_data.get("new_id_number") or "",
                "phone": form.cleaned_data.get("new_phone") or "",
                "date_of_birth": form.cleaned_data.get("new_date_of_birth"),
            }
            if any(corrections.values()):
                enrollment_correct_identity(enrollment=obj, by=request.user, **corrections)
            return
        identity = {name: form.cleaned_data.get(name) for name in IDENTITY_FIELDS}
        intake = {
            name: form.cleaned_data.get(name) for name in INTAKE_FIELDS if form.cleaned_data.get(name) not in (None, "")
        }
        enrollment = enrollment_open(
            project=form.cleaned_data["project"],
            by=request.user,
            identity=identity,
            id_number=form.cleaned_data.get("id_number", ""),
            intake=intake,
        )
        obj.pk, obj.code, obj.beneficiary, obj.project = (
            enrollment.pk,
            enrollment.code,
            enrollment.beneficiary,
            enrollment.project,
        )
        obj._state.adding = False
        obj._state.db = enrollment._state.db

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, FollowUp) and instance.recorded_by_id is None:
                instance.recorded_by = request.user
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

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
            context["can_close"] = (
                permissions.can_keep_casework(request.user, obj.project) and obj.status == Enrollment.Status.OPEN
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("lookup/", view(self.lookup_view), name="projects_enrollment_lookup"),
            path("<path:object_id>/close/", view(self.close_view), name="projects_enrollment_close"),
            *super().get_urls(),
        ]

    def lookup_view(self, request):
        """Find cases by name or ID number without putting either into a URL: POST only, within scope."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
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
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("查找个案"),
            "opts": self.opts,
            "results": [(e, privacy.masked(e, "id_number"), privacy.masked(e, "date_of_birth")) for e in results],
            "searched": bool(term),
            "error": error,
        }
        response = TemplateResponse(request, "admin/projects/enrollment/lookup.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def close_view(self, request, object_id):
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        enrollment = self.get_object(request, unquote(object_id))
        change_url = reverse("admin:projects_enrollment_change", args=[enrollment.pk])
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
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("结案：%(case)s") % {"case": enrollment},
            "opts": self.opts,
            "form": form,
            "change_url": change_url,
            "object": enrollment,
        }
        return TemplateResponse(request, "admin/projects/enrollment/close.html", context)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("结案日期"), widget=DATE_WIDGET())
    summary = forms.CharField(label=_("结案小结"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)


@admin.register(FollowUp)
class FollowUpAdmin(QicaiModelAdmin):
    list_display = ["date", "case", "method", "social_worker", "risk_level", "recorded_by"]
    list_filter = ["risk_level", "method", "enrollment__project__round"]
    date_hierarchy = "date"
    fields = ["enrollment", "date", "method", "social_worker", "risk_level", "needs_change", "circumstances", "note"]
    readonly_fields = ["enrollment"]

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj.enrollment.project)

    def can_change_object(self, user, obj):
        return permissions.can_keep_casework(user, obj.enrollment.project)

    def has_add_permission(self, request):
        return False  # added on the enrolment's page, under its timeline

    @admin.display(description=_("个案"), ordering="enrollment")
    def case(self, follow_up):
        return str(follow_up.enrollment)


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
        live = casework_projects(self.current_user)
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

    def clean(self):
        cleaned = super().clean()
        project, attendees = cleaned.get("project"), cleaned.get("attendees") or []
        if project:
            problem = activity_attendees_problem(Activity(project=project), attendees)
            if problem:
                self.add_error("attendees", problem)
            if cleaned.get("participants") is not None and cleaned["participants"] < len(attendees):
                self.add_error("participants", gettext("参与人数不能少于所选的个案数。"))
        return cleaned


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
        url = reverse("admin:projects_activity_photo", args=[photo.activity_id, photo.pk])
        return format_html('<a href="{}"><img src="{}" alt="" class="photo-thumb"></a>', url, url)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("活动照片（JPEG 或 PNG，不超过 10 MB）"))
    caption = forms.CharField(label=_("说明"), required=False, max_length=100)


@admin.register(Activity)
class ActivityAdmin(QicaiModelAdmin):
    form = ActivityForm
    change_form_template = "admin/projects/activity/change_form.html"
    list_display = ["date", "title", "project", "type", "venue", "participants", "volunteer_hours"]
    list_filter = ["type", "project__round", ("project", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "project__code"]
    date_hierarchy = "date"
    autocomplete_fields = ["venue"]
    filter_horizontal = ["attendees"]
    inlines = [ActivityStaffInline, ActivityVolunteerInline, ActivityPhotoInline]

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
        return super().has_add_permission(request) and (user.is_superuser or casework_projects(user).exists())

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

    def photo_upload_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        activity = self.get_object(request, unquote(object_id))
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
        return HttpResponseRedirect(reverse("admin:projects_activity_change", args=[activity.pk]))

    def photo_view(self, request, object_id, photo_id):
        activity = self.get_object(request, unquote(object_id))
        photo = activity.photos.filter(pk=photo_id).first()
        if photo is None:
            raise Http404
        try:
            handle = photo.image.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=photo.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


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


class UnitPersonAdmin(RevealMixin, QicaiModelAdmin):
    form = UnitPersonForm
    owner_field = ""
    revealable = ("phone",)
    person_fields: list[str] = []
    change_form_template = "admin/projects/unit_person_change_form.html"

    def can_view_object(self, user, obj):
        return permissions.can_view_unit_record(user, getattr(obj, f"{self.owner_field}_id"))

    def can_change_object(self, user, obj):
        return (permissions.is_implementing_unit(user) or user.is_superuser) and self.can_view_object(user, obj)

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
    owner_field = "employer"
    person_fields = ["name", "gender", "certification", "certificate_number", "is_supervisor", "projects", "is_active"]
    list_display = ["name", "gender", "employer", "certification", "is_supervisor", "phone_display", "is_active"]
    list_filter = ["certification", "is_supervisor", "is_active"]
    autocomplete_fields = ["employer", "projects"]


@admin.register(Volunteer)
class VolunteerAdmin(UnitPersonAdmin):
    owner_field = "organization"
    person_fields = ["name", "gender", "skills", "registered_on", "is_active"]
    list_display = ["name", "gender", "organization", "skills", "registered_on", "hours_total", "phone_display"]
    list_filter = ["is_active"]
    autocomplete_fields = ["organization"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total_hours=Sum("hours__hours"))

    @admin.display(description=_("累计服务时数"), ordering="total_hours")
    def hours_total(self, volunteer):
        return volunteer.total_hours or 0


# -- case stories and the access log ----------------------------------------------------------


class CaseStoryForm(UserAwareForm):
    class Meta:
        model = CaseStory
        fields = ["project", "enrollment", "title", "narrative", "service_method", "outcome", "consent_on"]
        widgets = {"consent_on": DATE_WIDGET()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "project" in self.fields:  # absent on a read-only view page
            self.fields["project"].queryset = (
                Project.objects.visible_to(self.current_user).filter(
                    implementing_unit_id=permissions.organization_id_of(self.current_user)
                )
                if permissions.is_implementing_unit(self.current_user)
                else Project.objects.all()
            )
        if "enrollment" in self.fields:
            self.fields["enrollment"].queryset = Enrollment.objects.visible_to(self.current_user).select_related(
                "project"
            )

    def clean(self):
        cleaned = super().clean()
        project = cleaned.get("project")
        if project:
            story = CaseStory(
                project=project,
                **{k: cleaned.get(k) or "" for k in ["title", "narrative", "service_method", "outcome"]},
            )
            for problem in case_story_problems(story):
                self.add_error(None, problem)
            enrollment = cleaned.get("enrollment")
            if enrollment and enrollment.project_id != project.pk:
                self.add_error("enrollment", gettext("所选个案不属于本项目。"))
        return cleaned


@admin.register(CaseStory)
class CaseStoryAdmin(QicaiModelAdmin):
    form = CaseStoryForm
    list_display = ["title", "project", "consent_on", "is_excellent", "created_at"]
    list_filter = ["is_excellent", "project__round"]
    search_fields = ["title", "project__code"]
    readonly_fields = ["is_excellent"]
    actions = ["mark_excellent", "unmark_excellent"]

    def can_view_object(self, user, obj):
        return permissions.can_view_project(user, obj.project)

    def can_change_object(self, user, obj):
        return permissions.is_implementing_unit(user) and permissions.can_view_project(user, obj.project)

    def has_mark_permission(self, request):
        return request.user.has_perm("projects.mark_excellent_casestory")

    @admin.action(description=_("评为优秀案例"), permissions=["mark"])
    def mark_excellent(self, request, queryset):
        for story in queryset:
            case_story_mark_excellent(story=story, by=request.user, excellent=True)
        messages.success(request, gettext("已评定 %(count)d 个优秀案例。") % {"count": queryset.count()})

    @admin.action(description=_("取消优秀案例"), permissions=["mark"])
    def unmark_excellent(self, request, queryset):
        for story in queryset:
            case_story_mark_excellent(story=story, by=request.user, excellent=False)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(QicaiModelAdmin):
    list_display = ["at", "user", "record", "field", "records"]
    list_filter = ["field"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "beneficiary")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
