"""The API's headers: open to any origin, and its refusals never kept.

The API is open to pages of any origin (CORS): it is read-only, public and uses no cookies,
so a partner's page may read it from the browser. ``OPTIONS`` (a browser's preflight, sent
for a conditional request's ``If-None-Match``) is answered here. A refusal (400, 404, 429,
503) says ``no-store``: no cache in front may answer the next request with it."""

from django.http import HttpResponse

PREFIX = "/api/"
HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
}
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


class ApiHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            for name, value in PREFLIGHT.items():
                response[name] = value
            response["Cache-Control"] = "public, max-age=86400"
        else:
            response = self.get_response(request)
            if response.status_code >= 400:
                response["Cache-Control"] = "no-store"
        for name, value in HEADERS.items():
            response[name] = value
        return response
