from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from awards import permissions
from awards.exports import AwardRecordResource, NominationResource, award_list_response
from awards.models import AwardRecord, AwardType, Nomination
from awards.services import nomination_confirm, nomination_create, nomination_decline, nominations_propose
from projects.admin import ProjectAdmin, QicaiModelAdmin, ReadOnlyInline
from projects.admin.base import ListExportMixin, model_view, object_view
from projects.forms import DATE_WIDGET
from projects.models import Project, Round
from projects.services import WorkflowError


@admin.register(AwardType)
class AwardTypeAdmin(QicaiModelAdmin):
    list_display = ["name", "recipient_kind", "quota", "order"]
    list_editable = ["order"]
    search_fields = ["name"]

    def get_fields(self, request, obj=None):
        # The code is the system's name for an award type (``awards.constants``), set by IT: people see names.
        fields = super().get_fields(request, obj)
        return fields if request.user.is_superuser else [field for field in fields if field != "code"]


@admin.register(AwardRecord)
class AwardRecordAdmin(ListExportMixin, QicaiModelAdmin):
    export_resource = AwardRecordResource
    list_display = ["round", "award_type", "rank", "recipient", "awarded_on", "presenter"]
    list_filter = ["round", "award_type"]
    search_fields = ["project__code", "project__title", "organization__name", "person_name", "citation"]
    autocomplete_fields = ["round", "award_type", "project", "organization"]
    date_hierarchy = "awarded_on"
    fieldsets = [
        (None, {"fields": ["round", "award_type", "rank", "awarded_on", "presenter"]}),
        (_("获奖对象（三选一）"), {"fields": ["project", "organization", "person_name"]}),
        (_("表彰词"), {"fields": ["citation"]}),
    ]

    def has_add_permission(self, request):
        return False  # an award record comes only from a confirmed nomination, within the award's quota

    def get_urls(self):
        return [
            path(
                "round/<path:round_id>/export/",
                self.admin_site.admin_view(self.award_list_view),
                name="awards_awardrecord_award_list",
            ),
            *super().get_urls(),
        ]

    @model_view("GET")
    def award_list_view(self, request, round_id):
        """A round's award list (表彰名单) as an XLSX download; the round's page links to it."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        round_ = Round.objects.filter(pk=int(round_id)).first() if round_id.isdigit() and len(round_id) <= 9 else None
        if round_ is None:
            raise Http404(gettext("没有找到该记录，或您无权查看。"))
        return award_list_response(round_)

    @admin.display(description=_("获奖对象"))
    def recipient(self, record):
        return record.recipient_display


class AwardRecordInline(ReadOnlyInline):
    model = AwardRecord
    fields = ["award_link", "round", "rank", "awarded_on", "presenter"]
    readonly_fields = fields

    @admin.display(description=_("奖项"))
    def award_link(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:awards_awardrecord_change", args=[record.pk]), record.award_type
        )

    tab = "evaluation"  # the project page's 评估 section: its grades, then what they earned
    empty_text = _("尚未获得表彰。")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("round", "award_type")


# The awards app adds its inline to the project page; projects never imports awards.
admin.site.unregister(Project)


@admin.register(Project)
class ProjectWithAwardsAdmin(ProjectAdmin):
    inlines = [*ProjectAdmin.inlines, AwardRecordInline]


class NominationForm(forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ["round", "award_type", "project", "organization", "person_name", "reason"]


class ConfirmForm(forms.Form):
    rank = forms.IntegerField(label=_("名次"), required=False, min_value=1)
    citation = forms.CharField(label=_("表彰词"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    awarded_on = forms.DateField(label=_("表彰日期"), widget=DATE_WIDGET())
    presenter = forms.CharField(label=_("颁奖单位/颁奖人"), required=False, max_length=100)


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("不采纳理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ProposeForm(forms.Form):
    round = forms.ModelChoiceField(label=_("年度批次"), queryset=Round.objects.all())


@admin.register(Nomination)
class NominationAdmin(ListExportMixin, QicaiModelAdmin):
    export_resource = NominationResource
    form = NominationForm
    change_list_template = "admin/awards/nomination/change_list.html"
    change_form_template = "admin/awards/nomination/change_form.html"
    list_display = ["round", "award_type", "ranking_position", "recipient", "score", "tied_at_cut", "source", "status"]
    list_filter = ["round", "award_type", "status", "source", "tied_at_cut"]
    autocomplete_fields = ["project", "organization"]
    readonly_fields = [
        "source",
        "ranking_position",
        "score",
        "tied_at_cut",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
        "award_record",
    ]

    def has_change_permission(self, request, obj=None):
        return False  # decided through confirm / decline, never edited

    @admin.display(description=_("被提名对象"))
    def recipient(self, nomination):
        return nomination.project or nomination.organization or nomination.person_name

    def save_model(self, request, obj, form, change):
        nomination_create(nomination=obj, by=request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_decide"] = permissions.can_decide(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "propose_form": ProposeForm() if permissions.can_nominate(request.user) else None,
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("propose/", view(self.propose_view), name="awards_nomination_propose"),
            path("<path:object_id>/confirm/", view(self.confirm_view), name="awards_nomination_confirm"),
            path("<path:object_id>/decline/", view(self.decline_view), name="awards_nomination_decline"),
            *super().get_urls(),
        ]

    @model_view("POST")
    def propose_view(self, request):
        form = ProposeForm(request.POST)
        if form.is_valid():
            try:
                proposal = nominations_propose(round_=form.cleaned_data["round"], by=request.user)
            except WorkflowError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, gettext("已按结项评估排名生成 %(count)d 个提名。") % {"count": len(proposal.created)}
                )
                if proposal.tied:
                    messages.warning(
                        request,
                        gettext(
                            "名额线上有 %(count)d 个项目得分并列（%(score)s 分），均已列入提名并标记“名额线并列”，"
                            "请社工委裁定。"
                        )
                        % {"count": len(proposal.tied), "score": proposal.cut_score},
                    )
        return HttpResponseRedirect(reverse("admin:awards_nomination_changelist"))

    def _decide(self, request, nomination, form_class, run, title, button):
        change_url = self.change_url(nomination)
        if not permissions.can_decide_nominations(request.user):
            raise PermissionDenied
        initial = {
            "rank": nomination.ranking_position,
            "awarded_on": timezone.localdate(),
            "presenter": gettext("区社会工作委员会"),
        }
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                run(nomination, form.cleaned_data)
            except WorkflowError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, gettext("已%(action)s：%(nomination)s") % {"action": button, "nomination": nomination}
                )
                return HttpResponseRedirect(change_url)
        return self.render_view(
            request,
            "admin/awards/nomination/decide.html",
            title=f"{title}：{nomination}",
            form=form,
            nomination=nomination,
            button=button,
            change_url=change_url,
        )

    @object_view("GET", "POST")
    def confirm_view(self, request, nomination):
        return self._decide(
            request,
            nomination,
            ConfirmForm,
            lambda n, data: nomination_confirm(nomination=n, by=request.user, **data),
            gettext("确认表彰"),
            gettext("确认"),
        )

    @object_view("GET", "POST")
    def decline_view(self, request, nomination):
        return self._decide(
            request,
            nomination,
            DeclineForm,
            lambda n, data: nomination_decline(nomination=n, by=request.user, note=data["note"]),
            gettext("不采纳提名"),
            gettext("不采纳"),
        )
