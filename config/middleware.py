"""Site-wide middleware: the language choice, and whole files under ASGI."""

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse
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


class WholeFilesUnderASGIMiddleware:
    """Under ASGI (make run's uvicorn) a response that streams from a synchronous iterator,
    as WhiteNoise's static files and any FileResponse do, is read by Django after the view
    has returned, through sync_to_async(list) outside the request's thread: it warned
    "StreamingHttpResponse must consume synchronous iterators" on every such response, and
    issue #16 found "CurrentThreadExecutor already quit" in the log right after. Our files are
    small (CSS, scripts, PDFs of a few MB), so read them here, still in the request's worker
    thread, and send plain bytes. Under WSGI (gunicorn, production) nothing changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not (isinstance(request, ASGIRequest) and response.streaming):
            return response
        if response.is_async:
            return response  # an async iterator is what ASGI streams well
        whole = HttpResponse(b"".join(response.streaming_content), status=response.status_code)
        for header, value in response.items():
            whole[header] = value
        whole.cookies = response.cookies
        response.close()
        return whole
