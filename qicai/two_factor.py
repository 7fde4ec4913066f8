"""Two-factor sign-in: an authenticator app's 6-digit code (TOTP) or a one-time recovery code, after the password.

django-otp keeps the devices (``TOTPDevice``: the shared secret; ``StaticDevice``: the ten recovery codes,
each deleted when used) and remembers in the session which device verified it (``django_otp.login``;
``OTPMiddleware`` reads it back on each request as ``request.user.otp_device``). This module adds:

- the rule of who must verify: ``projects.permissions.requires_two_factor`` (superusers and holders of the
  reveal permission when ``QICAI_REQUIRE_2FA`` is on), and anyone who enabled it for themselves;
- ``TwoFactorMiddleware``: the password signs the user in as usual (both sign-in pages, axes counting
  failures); until the session is verified, a user who must verify reaches only the verify step (a
  device exists) or the set-up step (none yet), the language switch and sign-out;
- the steps and the account page (两步验证, beside 修改密码), each in the portal's and the admin's dress;
- the services that write, each with its audit row.

A wrong code is a failed login: it is refused in Chinese, slows the device down (django-otp's throttling,
1, 2, 4 … seconds after successive failures) and is reported to axes as a failed login, so that five wrong
codes from one address lock the account out like five wrong passwords (the session is signed out).

Whether a session must verify is decided at sign-in and kept in the session (``SESSION_KEY``), so a
signed-in page costs no query for users without a second factor.
"""

from __future__ import annotations

import base64
import functools
import re

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects import permissions
from projects.audit import AuditAction, log_action

# True when this session must be verified by a second factor before it reaches anything.
SESSION_KEY = "qicai_two_factor"
# Recovery codes made a moment ago, shown (and downloadable) until the user says they are kept.
NEW_CODES_SESSION_KEY = "qicai_two_factor_new_codes"
RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6

# What a session that must still verify may reach (url names, with namespace).
OPEN_WHILE_PENDING = frozenset(
    {
        "portal:two_factor_verify",
        "portal:two_factor_setup",
        "portal:logout",
        "admin:two_factor_verify",
        "admin:two_factor_setup",
        "admin:logout",
        "admin:jsi18n",
        "set_language",
    }
)


# Reading ------------------------------------------------------------------------------------------------


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator (at most one is kept)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def must_verify(user) -> bool:
    """Whether a session of this user must be verified: the rule requires it, or the user enabled it."""
    return permissions.requires_two_factor(user) or has_two_factor(user)


def secret_text(device: TOTPDevice) -> str:
    """The shared secret as an authenticator app takes it when typed (base32), in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` address as an inline SVG QR code (paths only: no style, no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    # A label for screen readers; the size comes from the stylesheet.
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg role="img" class="two-factor-qr-code"', svg)
    title = escape(gettext("身份验证器二维码"))  # outside the f-string, where makemessages finds it
    return svg.replace(">", f"><title>{title}</title>", 1)


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token


def normalise_code(text: str) -> str:
    """What was typed, without spaces and hyphens, lower case (recovery codes are shown as ``abcd-efgh``)."""
    return re.sub(r"[\s\-]", "", text or "").lower()


# Writing (each with its audit row) ---------------------------------------------------------------------


def start_setup(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up: the same one (same QR code) until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=gettext("身份验证器"), confirmed=False)
    return device


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=gettext("恢复码"), confirmed=True)
    tokens = set()
    while len(tokens) < RECOVERY_CODE_COUNT:
        tokens.add(StaticToken.random_token())
    tokens = sorted(tokens)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in tokens])
    return [format_recovery_code(token) for token in tokens]


def confirm_setup(user, device: TOTPDevice, code: str) -> tuple[list[str] | None, str]:
    """Confirm the authenticator with a code it shows: the new recovery codes, or None and why not."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        if device is None:
            return None, gettext("设置已过期，请重新扫描二维码。")
        allowed, extra = device.verify_is_allowed()
        if not allowed:
            return None, throttled_message(extra)
        if not (code.isdigit() and device.verify_token(code)):
            return None, gettext("验证码不正确。请确认手机时间准确，并输入身份验证器上当前显示的 6 位数字。")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        log_action(action=AuditAction.TWO_FACTOR_ENABLE, actor=user, obj=user)
    return codes, ""


def regenerate_recovery_codes(user) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        log_action(action=AuditAction.RECOVERY_CODES_REGENERATE, actor=user, obj=user)
    return codes


def _remove_devices(user) -> int:
    removed, _per_model = TOTPDevice.objects.filter(user=user).delete()
    static, _per_model = StaticDevice.objects.filter(user=user).delete()
    return removed + static


def disable(user) -> None:
    """The user turns two-factor sign-in off (only when it is not required of them)."""
    if permissions.requires_two_factor(user):
        raise PermissionDenied(gettext("您的账号必须使用两步验证，不能停用。"))
    with transaction.atomic():
        _remove_devices(user)
        log_action(action=AuditAction.TWO_FACTOR_DISABLE, actor=user, obj=user)


def reset(user, *, by) -> bool:
    """A superuser removes another user's authenticator and recovery codes (a lost phone).

    The user sets up a new authenticator at the next sign-in if it is required of them; any session of
    theirs verified by the removed device is no longer verified. Returns whether there was anything to remove.
    """
    if not permissions.can_reset_two_factor(by):
        raise PermissionDenied(gettext("只有系统管理员可以重置两步验证。"))
    with transaction.atomic():
        if not _remove_devices(user):
            return False
        log_action(action=AuditAction.TWO_FACTOR_RESET, actor=by, obj=user)
    return True


def check_code(user, code: str) -> tuple[object | None, str]:
    """The device that accepts ``code`` (the authenticator for six digits, else the recovery codes), or an error.

    Only the device the code's shape names is tried, so a typo never slows the other one down.
    """
    code = normalise_code(code)
    if code.isdigit():
        if len(code) != TOTP_DIGITS:
            return None, gettext("验证码是 6 位数字，请重新输入。")
        model = TOTPDevice
    else:
        model = StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
        if device is None:
            if model is StaticDevice:
                return None, gettext("恢复码不正确，或已经用过。")
            return None, gettext("验证码不正确，请重新输入。")
        allowed, extra = device.verify_is_allowed()
        if not allowed:
            return None, throttled_message(extra)
        if device.verify_token(code):
            return device, ""
    if model is StaticDevice:
        return None, gettext("恢复码不正确，或已经用过。")
    return None, gettext("验证码不正确，请重新输入。请确认手机时间准确，并输入身份验证器上当前显示的 6 位数字。")


def throttled_message(extra: dict | None) -> str:
    locked_until = (extra or {}).get("locked_until")
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
    return ngettext(
        "验证码错误次数过多，请 %(seconds)d 秒后再试。",
        "验证码错误次数过多，请 %(seconds)d 秒后再试。",
        seconds,
    ) % {"seconds": seconds}


# The session --------------------------------------------------------------------------------------------


def mark_session_on_login(sender, request, user, **kwargs) -> None:
    """Connected to user_logged_in (QicaiConfig.ready): decide once per sign-in whether it must be verified."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = must_verify(user)


def is_verified(user) -> bool:
    return bool(getattr(user, "otp_device", None))


def pending(request) -> bool:
    """Whether this request's session belongs to a user who must verify and has not yet."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    session = request.session
    flag = session.get(SESSION_KEY)
    if flag is None:  # a session from before two-factor sign-in existed
        flag = session[SESSION_KEY] = must_verify(user)
    if not flag or is_verified(user):
        return False
    if not must_verify(user):  # an optional authenticator was removed meanwhile
        session[SESSION_KEY] = False
        return False
    return True


def in_admin(request) -> bool:
    return request.path.startswith(reverse("admin:index"))


def step_url(request, user, next_url: str) -> str:
    namespace = "admin" if in_admin(request) else "portal"
    step = "verify" if authenticator(user) else "setup"
    return f"{reverse(f'{namespace}:two_factor_{step}')}?{urlencode({'next': next_url})}"


class TwoFactorMiddleware:
    """Until verified, a user who must verify reaches only the verify or set-up step (``OPEN_WHILE_PENDING``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not pending(request):
            return None
        request.two_factor_pending = True  # the portal's header then shows no navigation (qicai.portal.context)
        match = request.resolver_match
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if name in OPEN_WHILE_PENDING:
            return None
        return HttpResponseRedirect(step_url(request, request.user, request.get_full_path()))


# Pages --------------------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("验证码"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}
        ),
        error_messages={"required": _("请输入验证码。")},
    )

    def __init__(self, *args, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        if help_text:
            self.fields["otp_token"].help_text = help_text


class TotpForm(CodeForm):
    """The current 6-digit code, for changes on the account page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, help_text=_("身份验证器上当前显示的 6 位数字。"), **kwargs)
        self.fields["otp_token"].label = _("当前验证码")
        self.fields["otp_token"].widget.attrs.update({"inputmode": "numeric", "autofocus": False})


def next_url(request, site) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index") if site is not None else reverse(settings.LOGIN_REDIRECT_URL)


def render_step(request, site, name: str, context: dict, status: int = 200):
    """A step in the admin's dress (``admin/two_factor_<name>.html``) or the portal's."""
    if site is not None:
        context = {
            "site_header": site.site_header,
            "site_title": site.site_title,
            "site_url": site.site_url,
            "has_permission": False,  # no user tools, no side navigation before the second factor
            "is_nav_sidebar_enabled": False,
            "available_apps": [],
            "is_popup": False,
            **context,
        }
        return render(request, f"admin/two_factor_{name}.html", context, status=status)
    return render(request, f"portal/two_factor_{name}.html", context, status=status)


def _signed_in_or_login(request, site):
    if request.user.is_authenticated:
        return None
    login_url = reverse("admin:login") if site is not None else None
    return redirect_to_login(request.get_full_path(), login_url)


def report_failure(request, user) -> None:
    """A wrong code is a failed login: axes counts it (and may lock out), the audit trail sees it."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    if getattr(request, "axes_locked_out", False):
        logout(request)  # axes' middleware answers with its lock-out page


@never_cache
def verify(request, site=None):
    """The second step: the 6-digit code, or a recovery code."""
    refused = _signed_in_or_login(request, site)
    if refused:
        return refused
    user, target = request.user, next_url(request, site)
    if not pending(request):
        return redirect(target)
    if authenticator(user) is None:
        return redirect(step_url(request, user, target))
    form = CodeForm(
        request.POST or None,
        help_text=_("打开手机上的身份验证器应用，输入显示的 6 位数字。手机不在身边时，可输入一个恢复码。"),
    )
    if request.method == "POST" and form.is_valid():
        device, error = check_code(user, form.cleaned_data["otp_token"])
        if device is not None:
            request.session.cycle_key()  # a new session key for the raised privilege
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(user)
                log_action(action=AuditAction.RECOVERY_CODE_USE, actor=user, obj=user, remaining=left)
                messages.warning(
                    request,
                    ngettext(
                        "您使用了一个恢复码（每个只能用一次），还剩 %(count)d 个。"
                        "找回手机后请在“两步验证”页重新生成恢复码；手机丢失请联系系统管理员重置。",
                        "您使用了一个恢复码（每个只能用一次），还剩 %(count)d 个。"
                        "找回手机后请在“两步验证”页重新生成恢复码；手机丢失请联系系统管理员重置。",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(target)
        form.add_error("otp_token", error)
        report_failure(request, user)
        if not request.user.is_authenticated:
            return redirect_to_login(target, reverse("admin:login") if site is not None else None)
    context = {"title": gettext("两步验证"), "form": form, "next": target, "account": user.get_username()}
    return render_step(request, site, "verify", context)


@never_cache
def setup(request, site=None):
    """Set up an authenticator: scan the QR code (or type the secret), confirm with a code it shows."""
    refused = _signed_in_or_login(request, site)
    if refused:
        return refused
    user, target = request.user, next_url(request, site)
    if has_two_factor(user):
        return redirect(step_url(request, user, target) if pending(request) else reverse("portal:two_factor"))
    device = start_setup(user)
    form = CodeForm(request.POST or None, help_text=_("添加后，输入身份验证器上显示的 6 位数字以确认。"))
    if request.method == "POST" and form.is_valid():
        codes, error = confirm_setup(user, device, normalise_code(form.cleaned_data["otp_token"]))
        if codes is not None:
            device.refresh_from_db()
            request.session.cycle_key()
            otp_login(request, device)
            request.session[SESSION_KEY] = True
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, gettext("两步验证已启用。"))
            namespace = "admin" if site is not None else "portal"
            return redirect(f"{reverse(f'{namespace}:two_factor_codes')}?{urlencode({'next': target})}")
        form.add_error("otp_token", error)
    context = {
        "title": gettext("设置两步验证"),
        "form": form,
        "next": target,
        "required": permissions.requires_two_factor(user),
        "qr_svg": mark_safe(qr_svg(device)),  # made here from the device's address: paths only
        "secret": secret_text(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "account": user.get_username(),
    }
    return render_step(request, site, "setup", context)


@never_cache
def recovery_codes(request, site=None):
    """The new recovery codes, shown once: printable and downloadable until the user says they are kept."""
    refused = _signed_in_or_login(request, site)
    if refused:
        return refused
    target = next_url(request, site)
    codes = request.session.get(NEW_CODES_SESSION_KEY)
    if not codes:
        return redirect(target)
    if request.method == "POST":
        request.session.pop(NEW_CODES_SESSION_KEY, None)
        return redirect(target)
    context = {"title": gettext("恢复码"), "codes": codes, "next": target, "account": request.user.get_username()}
    return render_step(request, site, "codes", context)


@never_cache
@login_required
def recovery_codes_download(request):
    codes = request.session.get(NEW_CODES_SESSION_KEY)
    if not codes:
        return redirect("portal:two_factor")
    lines = [
        gettext("七彩工程 两步验证恢复码"),
        gettext("账号：%(account)s") % {"account": request.user.get_username()},
        gettext("生成时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        gettext("每个恢复码只能使用一次。请妥善保管，不要与密码存放在一起。"),
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\r\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="qicai-recovery-codes-{request.user.pk}.txt"'
    return response


@never_cache
@login_required
def account(request):
    """两步验证 under the user's account: the state, recovery codes left, regenerate, disable."""
    user = request.user
    return render(request, "portal/two_factor_account.html", account_context(request, user))


def account_context(request, user, **forms_) -> dict:
    device = authenticator(user)
    return {
        "device": device,
        "required": permissions.requires_two_factor(user),
        "codes_left": recovery_codes_left(user) if device else 0,
        "regenerate_form": forms_.get("regenerate_form") or TotpForm(prefix="regenerate"),
        "disable_form": forms_.get("disable_form") or TotpForm(prefix="disable"),
    }


def _current_code(request, form) -> bool:
    if not form.is_valid():
        return False
    code = normalise_code(form.cleaned_data["otp_token"])
    if not code.isdigit():
        form.add_error("otp_token", gettext("请输入身份验证器上当前显示的 6 位数字（恢复码不能用于此操作）。"))
        return False
    device, error = check_code(request.user, code)
    if device is None:
        form.add_error("otp_token", error)
        return False
    return True


@never_cache
@login_required
@require_POST
def regenerate(request):
    user = request.user
    if authenticator(user) is None:
        return redirect("portal:two_factor")
    form = TotpForm(request.POST, prefix="regenerate")
    if not _current_code(request, form):
        return render(request, "portal/two_factor_account.html", account_context(request, user, regenerate_form=form))
    request.session[NEW_CODES_SESSION_KEY] = regenerate_recovery_codes(user)
    messages.success(request, gettext("已生成新的恢复码，原有的恢复码已全部作废。"))
    return redirect(f"{reverse('portal:two_factor_codes')}?{urlencode({'next': reverse('portal:two_factor')})}")


@never_cache
@login_required
@require_POST
def disable_view(request):
    user = request.user
    if authenticator(user) is None:
        return redirect("portal:two_factor")
    form = TotpForm(request.POST, prefix="disable")
    if permissions.requires_two_factor(user):
        form.is_valid()
        form.add_error(None, gettext("您的账号必须使用两步验证，不能停用。"))
        context = account_context(request, user, disable_form=form)
        return render(request, "portal/two_factor_account.html", context, status=403)
    if not _current_code(request, form):
        return render(request, "portal/two_factor_account.html", account_context(request, user, disable_form=form))
    disable(user)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SESSION_KEY] = False
    messages.success(request, gettext("两步验证已停用。"))
    return redirect("portal:two_factor")


def admin_urls(site) -> list:
    """The steps in the admin's dress, for ``QicaiAdminSite.get_urls`` (not behind ``admin_view``: they come
    before the user may use the admin)."""
    from django.urls import path

    return [
        path("two-factor/verify/", functools.partial(verify, site=site), name="two_factor_verify"),
        path("two-factor/setup/", functools.partial(setup, site=site), name="two_factor_setup"),
        path("two-factor/recovery-codes/", functools.partial(recovery_codes, site=site), name="two_factor_codes"),
    ]


# The admin's user list: who uses two-factor sign-in, and the reset action ---------------------------------


@admin.action(description=_("重置两步验证（手机丢失时）"), permissions=["reset_two_factor"])
def reset_two_factor_action(modeladmin, request, queryset):
    count = sum(reset(user, by=request.user) for user in queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "已重置 %(count)d 个用户的两步验证：下次登录时需重新设置身份验证器（如按规定必须使用）。",
            "已重置 %(count)d 个用户的两步验证：下次登录时需重新设置身份验证器（如按规定必须使用）。",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )
