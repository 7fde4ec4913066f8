import datetime
import functools
import re
import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters, InlineModelAdmin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    RelatedFieldWidgetWrapper,
    get_select2_language,
)
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import DateTimeField, Exists, OuterRef
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from projects import permissions
from projects.exports import export_response, list_file_name
from projects.fields import MoneyField, PercentField
from projects.formatting import format_cny, format_share, person_name
from qicai.admin_changelist import SafeChangeListAdmin

User = get_user_model()


class _KeysOnlyOptgroups:
    """Django's autocomplete widgets look the submitted value up to show it again with its errors; a value that
    is no key at all (" ", "abc") made that lookup raise ValueError: a 500 instead of the form's own error.
    Values that are no key (or a number beyond the column's range, which the lookup cannot even send to the
    database) are left out of the lookup: the field's own error says what was wrong."""

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", None) or opts.pk.name)
        return super().optgroups(name, [item for item in value if is_key(target, item, self.db)], attr)


def is_key(field, value, using=None) -> bool:
    """Whether ``value`` could be a value of ``field`` the database can be asked about (a number within range)."""
    try:
        key = field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    if not isinstance(key, int):
        return True
    low, high = connections[using or "default"].ops.integer_field_range(field.get_internal_type())
    return (low is None or key >= low) and (high is None or key <= high)


class KeysOnlyAutocompleteSelect(_KeysOnlyOptgroups, AutocompleteSelect):
    pass


class KeysOnlyAutocompleteSelectMultiple(_KeysOnlyOptgroups, AutocompleteSelectMultiple):
    pass


class _KeysOnlyValues:
    """A multiple choice of records that refuses a value that is no key with its own error: Django looked the
    values up together, and a number beyond the column (``9999…9``) raised OverflowError there, a 500."""

    def _check_values(self, value):
        opts = self.queryset.model._meta
        target = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for item in value or ():
            if not is_key(target, item, self.queryset.db):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super()._check_values(value)


@functools.cache
def _keys_only_class(field_class):
    return type(f"KeysOnly{field_class.__name__}", (_KeysOnlyValues, field_class), {})


def _keys_only(formfield):
    if isinstance(formfield, forms.ModelMultipleChoiceField) and not isinstance(formfield, _KeysOnlyValues):
        formfield.__class__ = _keys_only_class(type(formfield))
    widget = getattr(formfield, "widget", None)
    if type(widget) is AutocompleteSelect:
        widget.__class__ = KeysOnlyAutocompleteSelect
    elif type(widget) is AutocompleteSelectMultiple:
        widget.__class__ = KeysOnlyAutocompleteSelectMultiple
    return formfield


class SafeActions:
    """List actions that survive hostile record ids (for every admin of the site, Django's user admin included)."""

    def response_action(self, request, queryset):
        """Django filters the list by the posted record ids as they come: one that is no id ("", "abc", a number
        beyond the column) raised ValueError, a 500. Such ids are dropped first; with none left, Django says that
        something must be selected."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        kept = [value for value in selected if is_key(self.opts.pk, value)]
        if kept != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, kept)
        return super().response_action(request, queryset)


class NoRelatedEditing:
    """Related fields offer only records in the user's scope, and no adding, editing or deleting a
    related record from inside another form: each has its own page, with its own scope and rules."""

    @staticmethod
    def scoped_choices(db_field, request):
        queryset = db_field.remote_field.model._default_manager.all()
        return queryset.visible_to(request.user) if hasattr(queryset, "visible_to") else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and (scoped := self.scoped_choices(db_field, request)) is not None:
            kwargs["queryset"] = scoped
        return _keys_only(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and (scoped := self.scoped_choices(db_field, request)) is not None:
            kwargs["queryset"] = scoped
        return _keys_only(super().formfield_for_manytomany(db_field, request, **kwargs))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget.can_add_related = False
            formfield.widget.can_change_related = False
            formfield.widget.can_delete_related = False
        return formfield


SHOWN_SUFFIX = "_shown"


def shown_display(field):
    """A display method showing ``field`` as ``projects.formatting`` says, or None for other fields."""
    name = field.name
    if isinstance(field, MoneyField):

        def show(obj):
            return format_cny(getattr(obj, name))

        ordering = name
    elif isinstance(field, PercentField):

        def show(obj):
            return format_share(getattr(obj, name))

        ordering = name
    elif field.is_relation and (field.many_to_one or field.one_to_one) and field.related_model is User:

        def show(obj):
            return person_name(getattr(obj, name))

        ordering = f"{name}__first_name"
    else:
        return None
    return admin.display(description=field.verbose_name, ordering=ordering)(show)


class FormattedFields:
    """Read-only amounts show as ``20,000.00``, shares as ``40%`` and users by their names, on every page.

    Django shows a read-only ``DecimalField`` as ``20000.00`` and a user by the user name, beside our
    own ``20,000.00`` and names. Wherever an amount (``MoneyField``), a share (``PercentField``) or a
    user field is read-only —
    in ``readonly_fields``, on a page the user may only view, or as a list column — it is swapped for a
    display method of the same label and ordering, ``<field>_shown``, that calls ``projects.formatting``.
    Editable amounts use ``MoneyFormField``, which shows the same form.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown_names = {}
        for field in self.model._meta.fields:
            display = shown_display(field)
            if display is not None:
                self.shown_names[field.name] = field.name + SHOWN_SUFFIX
                setattr(self, field.name + SHOWN_SUFFIX, display)

    def _all_read_only(self, request, obj) -> bool:
        """Whether Django will show every field read-only (then it shows them by name, not by our list)."""
        if not isinstance(self, InlineModelAdmin):
            return obj is not None and not self.has_change_permission(request, obj)
        parent = self.admin_site.get_model_admin(self.parent_model)
        if not (parent.has_change_permission(request, obj) if obj else parent.has_add_permission(request)):
            return True  # a parent the user may only view shows its inlines read-only (get_inline_formsets)
        # Rows that may be added but not changed stay Django's: new rows need the field itself.
        return not self.has_change_permission(request, obj) and not self.has_add_permission(request, obj)

    def _swapped(self, names, read_only):
        return [
            self._swapped(name, read_only)
            if isinstance(name, list | tuple)
            else self.shown_names.get(name, name)
            if name in read_only
            else name
            for name in names
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.shown_names.values()]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.shown_names:
            return fieldsets
        listed = self.get_readonly_fields(request, obj)
        # Swapped only where the display name is read-only too (an override of get_readonly_fields that
        # skips super() keeps Django's display), or where the whole page is.
        read_only = {name for name, shown in self.shown_names.items() if name in listed and shown in listed}
        if self._all_read_only(request, obj):
            read_only |= set(self.shown_names)
        shown = set(self.shown_names.values())
        return [
            # Django's default get_fields appends every read-only name, ours included: those go.
            (name, {**options, "fields": self._swapped([f for f in options["fields"] if f not in shown], read_only)})
            for name, options in fieldsets
        ]

    def get_list_display(self, request):
        return self._swapped(super().get_list_display(request), set(self.shown_names))

    def get_list_select_related(self, request):
        """The related rows of every relation column, swapped ones included (Django no longer sees them)."""
        chosen = super().get_list_select_related(request)
        if chosen is True:
            return chosen
        related = [
            name
            for name in super().get_list_display(request)
            if isinstance(name, str) and name in {f.name for f in self.model._meta.fields if f.is_relation}
        ]
        return [*(chosen or []), *related] or False


class PersonListFilter(admin.RelatedOnlyFieldListFilter):
    """A filter by user that lists people by their names, not their user names."""

    def field_choices(self, field, request, model_admin):
        rows = model_admin.get_queryset(request)
        if field.many_to_many and not rows.query.where:
            # A list of every row (programme staff's): the people of the link table, each probed by its index,
            # rather than every row joined to its people and made distinct (44,000 evaluator assignments).
            through = field.remote_field.through
            links = through.objects.filter(**{field.m2m_reverse_field_name(): OuterRef("pk")})
            people = User.objects.filter(Exists(links))
        else:
            ids = rows.distinct().values_list(f"{self.field_path}__pk", flat=True)
            people = User.objects.filter(pk__in=ids)
        return sorted(((user.pk, person_name(user)) for user in people), key=lambda choice: choice[1])


def kept_parameters(request, *dropped: str) -> list[tuple[str, str]]:
    """The list's query parameters (filters, search, ordering) but ``dropped`` and the page: what a filter's
    own form carries along as hidden fields, so that choosing in it keeps everything else."""
    skipped = {*dropped, PAGE_VAR, ERROR_FLAG}
    return [(key, value) for key, values in request.GET.lists() if key not in skipped for value in values]


class DateRangeFilter(admin.ListFilter):
    """From one day to another (``?since=2026-11-01&until=2026-11-27``), both days included, by two date
    fields in the sidebar. ``DateRangeFilter.on("intake_date")`` filters another date or datetime field.

    It replaces Django's date drill-down (``date_hierarchy``) on big tables: the drill-down reads the
    table's first and last dates and its distinct years on every page; this costs nothing until a day is
    chosen, and then an index on the field serves it. A day that is no date is ignored.
    """

    title = _("日期范围")
    template = "admin/qicai_date_range_filter.html"
    parameters = ("since", "until")
    field_path = "at"

    @classmethod
    def on(cls, field_path: str, title=None):
        return type(f"DateRangeFilter_{field_path}", (cls,), {"field_path": field_path, "title": title or cls.title})

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values = {}
        for name in self.parameters:
            if name in params:
                raw = params.pop(name)
                raw = raw[-1] if isinstance(raw, list) else raw
                self.values[name] = raw[:10]
        self.request = request
        self.is_datetime = isinstance(get_fields_from_path(model, self.field_path)[-1], DateTimeField)

    def day(self, name) -> datetime.date | None:
        try:
            return parse_date(self.values.get(name, ""))
        except ValueError:
            return None

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def queryset(self, request, queryset):
        since, until = self.day("since"), self.day("until")
        if not self.is_datetime:
            if since:
                queryset = queryset.filter(**{f"{self.field_path}__gte": since})
            if until:
                queryset = queryset.filter(**{f"{self.field_path}__lte": until})
            return queryset
        zone = timezone.get_current_timezone()
        if since:
            start = datetime.datetime.combine(since, datetime.time.min, zone)
            queryset = queryset.filter(**{f"{self.field_path}__gte": start})
        if until:
            end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, zone)
            queryset = queryset.filter(**{f"{self.field_path}__lt": end})
        return queryset

    def choices(self, changelist):
        # The template's form: the chosen days and the list's other parameters, kept as hidden fields.
        yield {
            "since": self.values.get("since", ""),
            "until": self.values.get("until", ""),
            "kept": kept_parameters(self.request, *self.parameters),
            "clear_url": changelist.get_query_string(remove=list(self.parameters)),
            "selected": bool(self.values),
        }


class ProjectAutocompleteFilter(admin.FieldListFilter):
    """A filter by project that searches instead of listing: ``("project", ProjectAutocompleteFilter)``.

    Django's ``RelatedOnlyFieldListFilter`` listed every project having a row in the list (8,000 links and
    1 MB of HTML at city scale). This one shows one select box, filled as the user types by the admin's own
    autocomplete (``admin:autocomplete`` over ``ProjectAdmin``: its scoped ``get_queryset`` and its search
    fields), and only the chosen project on the page: one query by primary key, whatever the size. The
    parameter stays Django's (``?project__id__exact=12``), so links into the list keep working. A value
    that is no project the user sees (another unit's, none at all, not a number) is a bad filter: the
    admin's "invalid filter" answer (``?e=1``), never rows of another scope nor a 500.

    The select box needs the admin's select2 files and ``qicai/autocomplete-filter.js`` (which submits the
    filter's form on a choice): an admin using this filter includes ``AutocompleteFilterMedia``.
    """

    template = "admin/qicai_autocomplete_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__{field.target_field.name}__exact"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.request = request
        self.source = field  # the autocomplete view finds the project admin through this foreign key
        values = self.used_parameters.get(self.lookup_kwarg)
        raw = (values[-1] if isinstance(values, list) else values) if values is not None else ""
        self.raw = str(raw).strip()
        self.chosen = None
        if self.raw:
            from projects.models import Project

            if is_key(Project._meta.pk, self.raw):
                self.chosen = Project.objects.visible_to(request.user).filter(pk=int(self.raw)).first()

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if not self.raw:
            return queryset
        if self.chosen is None:
            raise IncorrectLookupParameters(gettext("没有这个项目，或您无权查看。"))
        return queryset.filter(**{self.field_path: self.chosen.pk})

    def choices(self, changelist):
        opts = self.source.model._meta
        yield {
            "parameter": self.lookup_kwarg,
            "chosen": self.chosen,
            "url": reverse(f"{changelist.model_admin.admin_site.name}:autocomplete"),
            "app_label": opts.app_label,
            "model_name": opts.model_name,
            "field_name": self.source.name,
            "lang": get_select2_language() or "",
            "kept": kept_parameters(self.request, self.lookup_kwarg),
            "clear_url": changelist.get_query_string(remove=[self.lookup_kwarg]),
        }

    @staticmethod
    def media() -> forms.Media:
        select2 = AutocompleteSelect(None, admin.site).media  # jQuery, select2 and its Chinese messages
        # One list, so that the filter's script comes after django.jQuery and autocomplete.js (two Media added
        # together keep no order between their lists).
        return forms.Media(js=[*select2._js, "qicai/autocomplete-filter.js"], css=select2._css)


class AutocompleteFilterMedia:
    """Adds the select2 files and ``qicai/autocomplete-filter.js`` to a list showing a ``ProjectAutocompleteFilter``
    (its change pages are left as they are)."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        searching = changelist is not None and "media" in context
        if searching and any(isinstance(spec, ProjectAutocompleteFilter) for spec in changelist.filter_specs):
            context["media"] = context["media"] + ProjectAutocompleteFilter.media()
        return response


class QicaiInline(FormattedFields, NoRelatedEditing, admin.TabularInline):
    extra = 0


class ParentGuardedInline(QicaiInline):
    """An inline whose rows may be added, changed or deleted only while its parent record may be."""

    def parent_editable(self, user, parent) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or self.parent_editable(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self.parent_editable(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self.parent_editable(request.user, obj))


# Never filterable by URL: a lookup such as ?id_number__startswith=3201 or ?date_of_birth__month=3
# would let anyone who sees the masked list recover the full value piece by piece (projects.privacy),
# and put it into URLs and server logs.
PROTECTED_LOOKUP_FIELDS = frozenset({"id_number", "phone", "date_of_birth"})
# Who evaluates a project, and the scores before an evaluation is finalised, are for programme staff:
# a unit filtering its evaluations by ?evaluators__id__exact=… would learn its evaluators from which
# rows come back, and an evaluator filtering by ?scorecards__total__gte=… a colleague's draft score.
EVALUATION_SECRET_FIELDS = frozenset({"evaluators", "evaluator", "scorecards", "assigned_evaluations"})
# Which person key a case links to, and who recorded what, are for programme staff: a unit filtering its
# cases by ?beneficiary__lte=… would learn whether a person it enrolled was already known elsewhere (an
# older key), and ?consent_recorded_by__lt=… walks user ids.
PERSON_KEY_FIELDS = frozenset({"beneficiary", "beneficiary_id"})
USER_FIELDS = frozenset(
    {"consent_recorded_by", "recorded_by", "uploaded_by", "released_by", "finalised_by", "actor", "user"}
)


def touches_staff_only_fields(path: str, user) -> bool:
    """Whether a filter on ``path`` is reserved to programme staff (person keys also need view_beneficiary)."""
    parts = set(path.split("__"))
    if PERSON_KEY_FIELDS & parts and not permissions.can_see_same_person(user):
        return True
    return bool((EVALUATION_SECRET_FIELDS | USER_FIELDS) & parts) and not permissions.sees_whole_portfolio(user)


def filter_path(list_filter_item) -> str:
    """The field path a ``list_filter`` entry filters on ("" for a SimpleListFilter class)."""
    if isinstance(list_filter_item, str):
        return list_filter_item
    if isinstance(list_filter_item, tuple | list):
        return list_filter_item[0]
    return getattr(list_filter_item, "parameter_name", "")


def object_view(*methods: str):
    """A custom admin view of one record: another method answers 405; a record outside the user's scope 404,
    one the user may not even view 403. The view receives the record, not its id:
    ``def close_view(self, request, enrollment)``; render its page with ``self.render_view``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(self, request, object_id, *args, **kwargs):
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            obj = self.get_object(request, unquote(object_id))
            if not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied
            return view(self, request, obj, *args, **kwargs)

        return wrapper

    return decorator


def model_view(*methods: str):
    """A custom admin view of a model's list (a lookup, a bulk proposal): 405 for other methods, 403 without view."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(self, request, *args, **kwargs):
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            return view(self, request, *args, **kwargs)

        return wrapper

    return decorator


SUBMISSION_FIELD = "_submission"
SUBMISSIONS_KEPT = datetime.timedelta(days=2)


class RepeatedSubmission(Exception):
    def __init__(self, submission):
        super().__init__(submission.token)
        self.submission = submission


class OneSubmissionPerForm:
    """Every add and change form carries a one-time token; posting it again saves nothing.

    The token is recorded (``FormSubmission``) in the transaction that saves the object, by the
    admin's ``log_addition`` / ``log_change`` which every successful save passes through. A repeat
    that arrives after the first committed is answered from the record; one racing the first fails
    on the token's unique constraint, and its whole transaction (object included) rolls back.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "submission_token": secrets.token_urlsafe(24)}
        if request.method == "POST":
            token = request.POST.get(SUBMISSION_FIELD, "")[:64]
            if token:
                from projects.models import FormSubmission

                done = FormSubmission.objects.filter(token=token, user=request.user).first()
                if done is not None:
                    return self.repeated_submission_response(request, done)
                request._qicai_submission = token
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RepeatedSubmission as repeat:
            return self.repeated_submission_response(request, repeat.submission)

    def record_submission(self, request, obj) -> None:
        from projects.models import FormSubmission

        token = getattr(request, "_qicai_submission", None)
        if not token:
            return
        FormSubmission.objects.filter(at__lt=timezone.now() - SUBMISSIONS_KEPT).delete()
        try:
            with transaction.atomic():
                FormSubmission.objects.create(
                    token=token,
                    user=request.user,
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=str(obj.pk),
                )
        except IntegrityError:
            raise RepeatedSubmission(FormSubmission.objects.get(token=token)) from None

    def log_addition(self, request, obj, message):
        self.record_submission(request, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self.record_submission(request, obj)
        return super().log_change(request, obj, message)

    def repeated_submission_response(self, request, submission):
        messages.warning(request, gettext("该表单已经提交并保存过，本次重复提交未再保存。"))
        opts = self.opts
        obj = self.get_queryset(request).filter(pk=submission.object_id).first()
        if obj is not None and submission.content_type.model_class() is opts.model:
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))


class RefusedForm:
    """A form that shows why the service refused the save it would have made (see ``ServiceRefusals``)."""

    refusal = ""
    refusal_field = None

    def clean(self):
        cleaned = super().clean()
        if self.refusal:
            field = self.refusal_field if self.refusal_field in self.fields else None
            self.add_error(field, self.refusal)
        return cleaned


class ServiceRefusals:
    """A service's refusal (``WorkflowError``) while saving an admin form shows on the form, input kept.

    Most refusals are caught by the form's own validation; this catches the ones only the service can
    see, such as a duplicate created by someone else a moment ago. The failed save rolls back; the
    view runs once more with the refusal as the form's error, so the user's input stays on the page.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        from projects.services import WorkflowError

        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except WorkflowError as refusal:
            if request.method != "POST" or getattr(request, "_qicai_refusal", None):
                raise
            request._qicai_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_qicai_refusal", None)
        if refusal is None:
            return form
        return type(form.__name__, (RefusedForm, form), {"refusal": refusal.message, "refusal_field": refusal.field})


class UserAwareForm(forms.ModelForm):
    """A model form that knows who fills it in (``QicaiModelAdmin.get_form`` sets it per request)."""

    current_user = None


class ImportLinks:
    """The 导入 and 下载导入模板 buttons of a list whose model has importers, and downloads besides the list's
    own export (templates/admin/change_list.html)."""

    # Models without a list of their own whose importers this list offers (scorecards: the evaluations').
    imports_also: tuple = ()

    def changelist_view(self, request, extra_context=None):
        from projects.admin.imports import import_links

        links = [link for model in (self.model, *self.imports_also) for link in import_links(request.user, model)]
        query = request.GET.urlencode()
        exports = [(label, f"{url}?{query}" if query else url) for label, url in self.exports_also(request)]
        extra_context = {**(extra_context or {}), "import_links": links, "export_links": exports}
        return super().changelist_view(request, extra_context)

    def exports_also(self, request) -> list[tuple[str, str]]:
        """(label, url) of downloads besides the list's own export, given the list's filters (scorecards)."""
        return []


class QicaiModelAdmin(
    ImportLinks,
    FormattedFields,
    SafeChangeListAdmin,
    OneSubmissionPerForm,
    ServiceRefusals,
    NoRelatedEditing,
    SafeActions,
    admin.ModelAdmin,
):
    """Admin defaults of the portfolio.

    Scope: the changelist, change pages, exports and autocomplete all start from
    ``get_queryset``, which applies the model's ``visible_to(user)``; object pages add
    the object-level predicates below, and an object outside the user's scope is a
    404 rather than Django's redirect to the index. No facet counts (one query per
    filter on big tables).
    """

    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 500
    # Inline rows written through services: {row model: (save(row=, by=), delete(row=, by=))}.
    row_services: dict = {}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(request.user)
        return queryset.for_list() if hasattr(queryset, "for_list") else queryset

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.current_user = request.user  # a class built for this request, so this is per request
        return form

    def lookup_allowed(self, lookup, value, request=None):
        if PROTECTED_LOOKUP_FIELDS.intersection(lookup.split("__")):
            return False
        if request is None or touches_staff_only_fields(lookup, request.user):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_filter(self, request):
        list_filter = super().get_list_filter(request)
        return [item for item in list_filter if not touches_staff_only_fields(filter_path(item), request.user)]

    def save_formset(self, request, form, formset, change):
        services = self.row_services.get(formset.model)
        if services is None:
            return super().save_formset(request, form, formset, change)
        save, delete = services
        for row in formset.save(commit=False):
            save(row=row, by=request.user)
        for row in formset.deleted_objects:
            delete(row=row, by=request.user)
        formset.save_m2m()

    def get_object(self, request, object_id, from_field=None):
        # Without any right to the model, the answer must not depend on whether the record exists.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            if self.exists_outside_scope(object_id, from_field):
                from projects.access_log import mark_refused

                mark_refused(request)  # the same 404 as a record that does not exist, but logged as refused
            raise Http404(gettext("没有找到该记录，或您无权查看。"))
        return obj

    def exists_outside_scope(self, object_id, from_field=None) -> bool:
        """Whether the record asked for exists at all (asked only when it is not in the user's scope)."""
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        try:
            value = field.to_python(object_id)
            return self.model._default_manager.filter(**{field.attname: value}).exists()
        except (ValueError, TypeError, ValidationError):
            return False

    def render_view(self, request, template: str, *, title: str, **context) -> TemplateResponse:
        """A custom view's page in the admin's frame: site context, the model's options, a title."""
        return TemplateResponse(
            request, template, {**self.admin_site.each_context(request), "title": title, "opts": self.opts, **context}
        )

    def change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    # Object-level predicates; the model-level Django permissions are checked first.
    def can_view_object(self, user, obj) -> bool:
        return True

    def can_change_object(self, user, obj) -> bool:
        return self.can_view_object(user, obj)

    def can_delete_object(self, user, obj) -> bool:
        return self.can_change_object(user, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or self.can_view_object(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or self.can_change_object(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or self.can_delete_object(request.user, obj)
        )


class ChoiceLabelHistoryHelper(HistoricalRecordContextHelper):
    """Show choice fields' labels (已提交) rather than their stored slugs (submitted) in history diffs."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        if isinstance(field, MoneyField) and value is not None:
            return format_cny(value)
        if isinstance(field, PercentField) and value is not None:
            return format_share(value)
        return super().prepare_delta_change_value(change, value)


class HistoryAdmin(QicaiModelAdmin, SimpleHistoryAdmin):
    """A scoped admin with django-simple-history's per-field history, read-only.

    simple-history's version page saves the old version on any POST (its revert), with only a
    view permission checked: that would bypass every workflow rule, so it answers GET only.
    """

    def history_view(self, request, object_id, extra_context=None):
        # simple-history finds the record through its history rows, outside the user's scope, and then
        # answers 403; look it up in scope first so an outsider gets the 404 of a record that does not exist.
        self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        self.get_object(request, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ChoiceLabelHistoryHelper(self.model, historical_record)


class ReadOnlyInline(QicaiInline):
    """An inline that shows related rows with a link to each; they are added and changed on their own pages."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# -- exports of the lists -------------------------------------------------------------------------

EXPORT_FORMATS = [("xlsx", _("Excel 工作簿（.xlsx）")), ("csv", _("CSV 文本文件（.csv，UTF-8，Excel 可直接打开）"))]
# A list filtered by one round (?round__id__exact=2, ?project__round__id__exact=2 …) names its file after it.
ROUND_FILTER = re.compile(r"(?:\w+__)?round(?:__id)?(?:__exact)?")


class ExportForm(forms.Form):
    """The export page: a file format and the columns, named as in the file."""

    format = forms.ChoiceField(label=_("文件格式"), choices=EXPORT_FORMATS, initial="xlsx", widget=forms.RadioSelect)
    columns = forms.MultipleChoiceField(
        label=_("导出的列"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一列。")},
    )

    def __init__(self, *args, columns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = [(column.name, gettext(column.header)) for column in columns]
        self.fields["columns"].initial = [column.name for column in columns]


class ListExportMixin(ExportMixin):
    """Exports a list exactly as its filters and search show it, in the user's scope, as XLSX or CSV.

    django-import-export provides the URL (``admin:<app>_<model>_export``), the 导出 button on the list
    (which carries the list's filters) and the permission (``<app>.export_<model>`` by
    ``IMPORT_EXPORT_EXPORT_PERMISSION_CODE``); without it there is no button and the URL answers 403. The
    queryset is the list's own: ``get_export_queryset`` builds the changelist from the request's filters
    and search over ``get_queryset``, which applies the scope. The page (a Chinese column chooser) and
    the file (``projects.tabular.writing`` through ``export_resource``) are ours.
    """

    export_resource = None  # a projects.exports.ExportResource subclass
    export_template_name = "admin/qicai_export.html"
    import_export_change_list_template = "admin/qicai_change_list_export.html"

    def get_export_resource_classes(self, request):
        return [self.export_resource]

    def has_export_permission(self, request):
        return self.has_view_or_change_permission(request) and super().has_export_permission(request)

    def export_action(self, request):
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.has_export_permission(request):
            raise PermissionDenied
        opts = self.opts
        changelist_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        try:
            queryset = self.get_export_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(f"{changelist_url}?e=1")  # as the list itself answers
        return self.export_page(
            request,
            resource=self.export_resource(user=request.user),
            queryset=queryset,
            name=self.export_name(request),
            title=gettext("导出%(list)s") % {"list": opts.verbose_name_plural},
        )

    def export_page(self, request, *, resource, queryset, name: str, title: str):
        """The Chinese column chooser for ``queryset``, then its download (XLSX or CSV) named ``name``."""
        opts = self.opts
        changelist_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        available = resource.get_fields()
        form = ExportForm(request.POST or None, columns=available)
        if form.is_valid():
            chosen = set(form.cleaned_data["columns"])
            return export_response(
                resource=resource,
                queryset=queryset,
                fields=[field for field in available if field.name in chosen],
                file_format=form.cleaned_data["format"],
                name=name,
            )
        query = request.GET.urlencode()
        return self.render_view(
            request,
            self.export_template_name,
            title=title,
            form=form,
            count=queryset.count(),
            file_name=name,
            changelist_url=f"{changelist_url}?{query}" if query else changelist_url,
        )

    def export_name(self, request, listed: str | None = None) -> str:
        """The file's name (and sheet's): the list and its round when filtered by one, else today's date.

        ``2013年度七彩工程项目清单``, ``七彩工程项目清单_2026年11月27日``.
        """
        from projects.models import Round

        listed = listed or self.opts.verbose_name_plural
        rounds = [value for key, value in request.GET.items() if ROUND_FILTER.fullmatch(key)]
        year = None
        if len(rounds) == 1 and rounds[0].isdigit() and len(rounds[0]) <= 9:
            year = Round.objects.filter(pk=int(rounds[0])).values_list("year", flat=True).first()
        return list_file_name(listed, year)
