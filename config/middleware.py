"""Language choice: Dutch unless the visitor chose otherwise."""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Activates the language from the language cookie (set by the switcher in the footer),
    else Dutch. Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: the
    association's interface is Dutch first, and English is a choice, not a guess."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
