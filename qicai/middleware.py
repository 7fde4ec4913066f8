import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import translation
from django.utils.translation import check_for_language, gettext


class DefaultChineseLocaleMiddleware:
    """Activate the language chosen with the language switch, else Simplified Chinese.

    Unlike ``LocaleMiddleware`` this ignores the browser's Accept-Language: the
    district's staff read the system in Chinese whatever their browser says, and
    English is an explicit choice (a cookie set by Django's ``set_language``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if not (language and check_for_language(language)) or language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Responses are rendered by now; leave no language behind for the next
            # piece of work on this thread (a command, a test, another request).
            translation.deactivate()
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


LAST_SEEN_KEY = "qicai_last_seen"
LAST_SEEN_RESOLUTION_SECONDS = 60


def start_session_clock(session) -> None:
    """Pin the session's absolute lifetime and start its idle clock.

    Without a fixed expiry every write of the last-seen stamp would push SESSION_COOKIE_AGE
    forward, and the absolute lifetime would become a sliding one.
    """
    session.set_expiry(timedelta(seconds=settings.SESSION_COOKIE_AGE))
    session[LAST_SEEN_KEY] = int(time.time())


def start_session_clock_on_login(sender, request, user, **kwargs) -> None:
    # Connected to user_logged_in (QicaiConfig.ready): the login saves the session anyway.
    start_session_clock(request.session)


class SessionIdleTimeoutMiddleware:
    """Log out a session left idle for SESSION_IDLE_MINUTES, besides its absolute lifetime.

    The last-seen stamp is refreshed at most once a minute, so most requests do not write
    the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            last_seen = session.get(LAST_SEEN_KEY)
            if last_seen is None:
                start_session_clock(session)  # a session from before this middleware
            elif now - last_seen >= settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.warning(
                    request,
                    gettext("您已 %(minutes)d 分钟未操作，为保护账号安全已自动退出，请重新登录。")
                    % {"minutes": settings.SESSION_IDLE_MINUTES},
                )
                in_admin = request.path.startswith(reverse("admin:index"))
                return redirect_to_login(request.get_full_path(), reverse("admin:login") if in_admin else None)
            elif now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)
