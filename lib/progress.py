"""Forms sent with an upload progress bar (static/js/petition-form.js) post by XMLHttpRequest, which follows a
redirect by itself: the page it lands on would be fetched twice (by the request, then by the browser), and a
one-time message shown on the first fetch would be lost (the grid worker's "Reported as …"). Such a post says so
(header X-Upload-Progress: 1); a redirect is then answered as 200 JSON {"location": url}, with the redirect's
cookies, and the script goes there once. Any other answer (the form with its errors) is left as it is."""
from __future__ import annotations

from functools import wraps

from django.http import JsonResponse

HEADER = "X-Upload-Progress"


def redirect_named_for_progress(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "POST" and request.headers.get(HEADER) == "1" \
                and response.status_code in (301, 302, 303, 307, 308) and response.has_header("Location"):
            named = JsonResponse({"location": response["Location"]})
            named.cookies = response.cookies
            return named
        return response
    return wrapped
