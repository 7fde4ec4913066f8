"""Evaluations in the admin: rubrics (frozen once used), evaluations with assigned evaluators,
the evaluator's scorecard, finalising, the round ranking, and agencies' standing."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import permissions, roles, states
from projects.admin.base import (
    DateRangeFilter,
    ListExportMixin,
    PersonListFilter,
    QicaiInline,
    QicaiModelAdmin,
    ReadOnlyInline,
    UserAwareForm,
    object_view,
)
from projects.exports import EvaluationResource, ScorecardResource, ranking_response
from projects.formatting import person_name
from projects.forms import DATE_WIDGET, VersionedForm
from projects.models import (
    AgencyStanding,
    ComplianceNote,
    Evaluation,
    EvaluationKind,
    Project,
    Round,
    RubricCriterion,
    RubricTemplate,
    Scorecard,
)
from projects.services import (
    StaleTransition,
    WorkflowError,
    evaluation_assign,
    evaluation_create,
    evaluation_finalise,
    evaluation_update,
    finalise_blocker,
    rectification_clear,
    round_ranking,
    rubric_revise,
    scorecard_save,
)


class RubricCriterionInline(QicaiInline):
    model = RubricCriterion
    fields = ["order", "name", "max_score", "guidance"]

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.in_use)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.in_use)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(RubricTemplate)
class RubricTemplateAdmin(QicaiModelAdmin):
    change_form_template = "admin/projects/rubrictemplate/change_form.html"
    list_display = ["name", "version", "kind", "total_points", "in_use_display"]
    list_filter = ["kind"]
    inlines = [RubricCriterionInline]

    def can_change_object(self, user, obj):
        return not obj.in_use  # a rubric in use is frozen; revise it into a new version

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_revise"] = permissions.can_revise_rubrics(request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("总分值"))
    def total_points(self, template):
        return sum(c.max_score for c in template.criteria.all())

    @admin.display(description=_("已使用"), boolean=True)
    def in_use_display(self, template):
        return template.in_use

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("criteria")

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revise/",
                self.admin_site.admin_view(self.revise_view),
                name="projects_rubrictemplate_revise",
            ),
            *super().get_urls(),
        ]

    @object_view("POST")
    def revise_view(self, request, template):
        try:
            revised = rubric_revise(template=template, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self.change_url(template))
        messages.success(request, gettext("已生成新版本：%(template)s，可以修改。") % {"template": revised})
        return HttpResponseRedirect(self.change_url(revised))


class EvaluationForm(UserAwareForm):
    class Meta:
        model = Evaluation
        fields = ["project", "kind", "template", "due_date"]
        widgets = {"due_date": DATE_WIDGET()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "project" in self.fields:  # read-only once the evaluation exists
            self.fields["project"].queryset = Project.objects.filter(status__in=states.EVALUABLE).select_related(
                "round"
            )


class ScoreForm(forms.Form):
    """One criterion's line of a scorecard."""

    score = forms.DecimalField(label=_("得分"), required=False, min_value=0, max_digits=6, decimal_places=2)
    comment = forms.CharField(
        label=_("评语"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        self.fields["score"].max_value = criterion.max_score
        self.fields["score"].validators.append(MaxValueValidator(criterion.max_score))
        self.fields["score"].widget.attrs.update(max=str(criterion.max_score), step="0.01")
        self.fields["score"].label = criterion.name


class BaseScoreFormSet(forms.BaseFormSet):
    """One form per criterion of the rubric, in its order: the posted count must match the rubric."""

    def __init__(self, *args, criteria, **kwargs):
        self.criteria = criteria
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "criterion": self.criteria[index]}

    def total_form_count(self):
        return len(self.criteria)


ScoreFormSet = forms.formset_factory(ScoreForm, formset=BaseScoreFormSet, extra=0)


class OverallCommentForm(forms.Form):
    overall_comment = forms.CharField(
        label=_("总体意见"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4, "cols": 80})
    )


class AssignForm(forms.Form):
    evaluator = forms.ModelChoiceField(label=_("评估专家"), queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = (
            get_user_model()
            .objects.filter(groups__name=roles.EVALUATOR, is_active=True)
            .order_by("first_name", "username")
        )
        self.fields["evaluator"].label_from_instance = person_name


class StartEvaluationForm(forms.Form):
    """发起评估 from the project page: the rubric, the due date and the experts in one form."""

    template = forms.ModelChoiceField(label=_("评分模板"), queryset=RubricTemplate.objects.none(), empty_label=None)
    due_date = forms.DateField(label=_("评分截止日期"), widget=DATE_WIDGET())
    evaluators = forms.ModelMultipleChoiceField(
        label=_("评估专家"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一位评估专家。")},
        help_text=_("所在单位是本项目实施单位或合作单位的专家不能指派（利益冲突）。"),
    )

    def __init__(self, *args, project, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = (
            RubricTemplate.objects.filter(kind=kind, criteria__isnull=False).distinct().order_by("name", "-version")
        )
        self.fields["evaluators"].queryset = (
            get_user_model()
            .objects.filter(groups__name=roles.EVALUATOR, is_active=True)
            .select_related("membership__organization")
            .order_by("first_name", "username")
        )
        self.fields["evaluators"].label_from_instance = evaluator_label
        self.fields["due_date"].initial = evaluation_due_default(project, kind)


def evaluator_label(user) -> str:
    """An expert in the choice list: the name and, when known, the organisation (for conflicts of interest)."""
    membership = getattr(user, "membership", None)  # RelatedObjectDoesNotExist is an AttributeError
    organization = membership.organization if membership else None
    return f"{person_name(user)}（{organization}）" if organization else person_name(user)


def evaluation_due_default(project, kind):
    """A mid-term evaluation is due half-way through the project, a final one at its end."""
    if not (project.start_date and project.end_date):
        return None
    if kind == EvaluationKind.MIDTERM:
        return project.start_date + (project.end_date - project.start_date) / 2
    return project.end_date


class ScorecardInline(ReadOnlyInline):
    model = Scorecard
    fields = ["evaluator", "status", "total", "overall_comment", "submitted_at"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("评分表")

    def get_queryset(self, request):
        # Another evaluator's scores stay hidden until the evaluation is finalised.
        return Scorecard.objects.visible_to(request.user).select_related("evaluator")


@admin.register(Evaluation)
class EvaluationAdmin(ListExportMixin, QicaiModelAdmin):
    export_resource = EvaluationResource
    form = EvaluationForm
    change_form_template = "admin/projects/evaluation/change_form.html"
    list_display = ["project", "kind", "template", "due_date", "status", "score", "grade", "evaluator_names"]
    # The evaluator filter is for programme staff only: QicaiModelAdmin.get_list_filter drops it for
    # everyone else, and lookup_allowed refuses the same lookup typed into the URL.
    list_filter = [
        "kind",
        "status",
        "grade",
        "project__round",
        ("evaluators", PersonListFilter),
        DateRangeFilter.on("due_date", _("截止日期")),
    ]
    search_fields = ["project__code", "project__title"]
    autocomplete_fields = ["project"]
    readonly_fields = ["status", "score", "grade", "scorecards_counted", "finalised_at", "finalised_by"]
    fields = ["project", "kind", "template", "due_date", *readonly_fields]
    inlines = [ScorecardInline]
    imports_also = (Scorecard,)  # civil affairs enters the experts' paper scorecards from the evaluation list

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("evaluators")

    def can_view_object(self, user, obj):
        return permissions.can_view_evaluation(user, obj)

    def can_change_object(self, user, obj):
        return permissions.can_assign_evaluators(user, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "project", "kind", "template"] if obj else readonly

    def save_model(self, request, obj, form, change):
        if change:
            evaluation_update(evaluation=obj, by=request.user)
        else:
            evaluation_create(evaluation=obj, by=request.user)

    def get_list_display(self, request):
        # Units do not learn who evaluates them while it matters; programme staff and evaluators do.
        if not permissions.can_see_evaluators(request.user):
            return [column for column in self.list_display if column != "evaluator_names"]
        return self.list_display

    @admin.display(description=_("评估专家"))
    def evaluator_names(self, evaluation):
        return "、".join(person_name(user) for user in evaluation.evaluators.all()) or "—"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            user = request.user
            context.update(
                {
                    "assign_form": AssignForm() if permissions.can_assign_evaluators(user, obj) else None,
                    "can_score": permissions.can_score(user, obj),
                    "can_finalise": permissions.can_finalise(user, obj),
                    "finalise_blocker": finalise_blocker(obj) if permissions.can_finalise(user, obj) else None,
                    "hide_evaluators": not permissions.can_see_evaluators(user),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "scorecards/export/",
                view(self.scorecards_export_view),
                name="projects_evaluation_scorecards_export",
            ),
            path("<path:object_id>/assign/", view(self.assign_view), name="projects_evaluation_assign"),
            path("<path:object_id>/score/", view(self.score_view), name="projects_evaluation_score"),
            path("<path:object_id>/finalise/", view(self.finalise_view), name="projects_evaluation_finalise"),
            *super().get_urls(),
        ]

    def exports_also(self, request):
        if not permissions.can_export_scorecards(request.user):
            return []
        return [(gettext("导出评分表"), reverse("admin:projects_evaluation_scorecards_export"))]

    def scorecards_export_view(self, request):
        """The scorecards of the evaluations the list shows, in the columns the scores import reads back."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not (permissions.can_export_scorecards(request.user) and self.has_view_permission(request)):
            raise PermissionDenied
        try:
            evaluations = self.get_export_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:projects_evaluation_changelist") + "?e=1")
        scorecards = (
            Scorecard.objects.visible_to(request.user)
            .filter(evaluation__in=evaluations.values("pk"))
            .order_by("evaluation__project__code", "evaluation__kind", "evaluation__pk", "evaluator__username")
        )
        return self.export_page(
            request,
            resource=ScorecardResource(user=request.user),
            queryset=scorecards,
            name=self.export_name(request, listed=str(Scorecard._meta.verbose_name_plural)),
            title=gettext("导出评分表"),
        )

    @object_view("POST")
    def assign_view(self, request, evaluation):
        form = AssignForm(request.POST)
        if form.is_valid():
            try:
                evaluation_assign(evaluation=evaluation, evaluator=form.cleaned_data["evaluator"], by=request.user)
            except WorkflowError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, gettext("已指派评估专家。"))
        else:
            messages.error(request, gettext("请选择评估专家。"))
        return HttpResponseRedirect(self.change_url(evaluation))

    @object_view("GET", "POST")
    def score_view(self, request, evaluation):
        """The evaluator's scorecard: a score and a comment per criterion; save as a draft or submit."""
        if not permissions.is_assigned_evaluator(request.user, evaluation):
            raise PermissionDenied
        criteria = list(evaluation.template.criteria.all())
        scorecard = Scorecard.objects.filter(evaluation=evaluation, evaluator=request.user).first()
        items = {item.criterion_id: item for item in scorecard.items.all()} if scorecard else {}
        initial = [
            {"score": getattr(items.get(c.pk), "score", None), "comment": getattr(items.get(c.pk), "comment", "")}
            for c in criteria
        ]
        posted = request.method == "POST"
        formset = ScoreFormSet(request.POST if posted else None, initial=initial, criteria=criteria, prefix="score")
        overall = OverallCommentForm(
            request.POST if posted else None, initial={"overall_comment": getattr(scorecard, "overall_comment", "")}
        )
        errors = []
        if posted and formset.is_valid() and overall.is_valid():
            submit = "_submit" in request.POST
            try:
                scorecard_save(
                    evaluation=evaluation,
                    by=request.user,
                    scores={
                        form.criterion.pk: (form.cleaned_data.get("score"), form.cleaned_data.get("comment", ""))
                        for form in formset
                    },
                    overall_comment=overall.cleaned_data["overall_comment"],
                    submit=submit,
                )
            except WorkflowError as error:
                errors.append(error.message)
            else:
                messages.success(request, gettext("评分表已提交。") if submit else gettext("评分已暂存。"))
                return HttpResponseRedirect(self.change_url(evaluation))
        return self.render_view(
            request,
            "admin/projects/evaluation/score.html",
            title=gettext("评分：%(evaluation)s") % {"evaluation": evaluation},
            evaluation=evaluation,
            formset=formset,
            overall=overall,
            scorecard_submitted=scorecard is not None and scorecard.status == Scorecard.Status.SUBMITTED,
            errors=errors,
            change_url=self.change_url(evaluation),
        )

    @object_view("GET", "POST")
    def finalise_view(self, request, evaluation):
        if not permissions.can_grade_evaluations(request.user, evaluation.project):
            raise PermissionDenied
        error = ""
        form = VersionedForm(request.POST) if request.method == "POST" else None
        if form is not None and not form.is_valid():
            error = " ".join(form.non_field_errors())
        elif form is not None:
            try:
                evaluation_finalise(
                    evaluation=evaluation, by=request.user, expected_version=form.cleaned_data["version"]
                )
            except StaleTransition:
                messages.error(request, gettext("该评估已被他人处理，本次操作未生效。"))
                return HttpResponseRedirect(self.change_url(evaluation))
            except WorkflowError as problem:
                error = problem.message
            else:
                messages.success(
                    request,
                    gettext("已定级：%(score)s 分，%(grade)s。")
                    % {"score": evaluation.score, "grade": evaluation.get_grade_display()},
                )
                return HttpResponseRedirect(self.change_url(evaluation))
        return self.render_view(
            request,
            "admin/projects/evaluation/finalise.html",
            title=gettext("评估定级：%(evaluation)s") % {"evaluation": evaluation},
            evaluation=evaluation,
            scorecards=evaluation.scorecards.select_related("evaluator").order_by("-total"),
            error=error,
            change_url=self.change_url(evaluation),
        )


class EvaluationInline(ReadOnlyInline):
    model = Evaluation
    fields = ["kind_link", "due_date", "status", "score", "grade"]
    readonly_fields = fields

    @admin.display(description=_("评估类型"))
    def kind_link(self, evaluation):
        """The evaluation's kind, linking to its page (scorecards, 定级): the row's own title line is hidden."""
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:projects_evaluation_change", args=[evaluation.pk]),
            evaluation.get_kind_display(),
        )

    verbose_name_plural = _("评估")
    tab = "evaluation"
    empty_text = _("尚未组织评估：项目实施中组织中期评估，中期评估后组织结项评估。")

    def get_queryset(self, request):
        return Evaluation.objects.visible_to(request.user)


def ranking_view(model_admin, request, object_id):
    """The round's projects by final score, with the grade distribution."""
    if not permissions.sees_whole_portfolio(request.user):
        raise PermissionDenied  # other units' scores are theirs: the ranking is for programme staff
    round_ = model_admin.get_object(request, unquote(object_id))
    evaluations, distribution = round_ranking(round_)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("%(round)s 结项评估排名") % {"round": round_},
        "opts": Round._meta,
        "round": round_,
        "evaluations": evaluations,
        "distribution": distribution,
        "can_export": request.user.has_perm("projects.export_evaluation"),
    }
    return TemplateResponse(request, "admin/projects/round/ranking.html", context)


def ranking_export_view(model_admin, request, object_id):
    """The ranking page's table as an XLSX download: programme staff who may export evaluations."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if not (permissions.sees_whole_portfolio(request.user) and request.user.has_perm("projects.export_evaluation")):
        raise PermissionDenied
    return ranking_response(model_admin.get_object(request, unquote(object_id)))


class RectificationForm(forms.Form):
    note = forms.CharField(label=_("整改完成情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


def rectification_view(model_admin, request, object_id):
    project = model_admin.get_object(request, unquote(object_id))
    change_url = reverse("admin:projects_project_change", args=[project.pk])
    form = RectificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rectification_clear(project=project, by=request.user, note=form.cleaned_data["note"])
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, gettext("已解除整改。"))
            return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("解除整改：%(code)s") % {"code": project.code},
        "opts": Project._meta,
        "form": form,
        "project": project,
        "change_url": change_url,
    }
    return TemplateResponse(request, "admin/projects/project/rectification.html", context)


class AgencyStandingInline(admin.StackedInline):
    model = AgencyStanding
    can_delete = False
    fields = ["membership_status", "member_since", "assessment_level", "assessed_on"]
    verbose_name_plural = _("行业自律档案")


class ComplianceNoteInline(QicaiInline):
    model = ComplianceNote
    fields = ["date", "kind", "note", "resolved"]
    verbose_name_plural = _("合规记录（投诉、整改等）")
