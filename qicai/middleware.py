from django.conf import settings
from django.utils import translation
from django.utils.translation import check_for_language


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
