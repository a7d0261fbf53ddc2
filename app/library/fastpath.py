"""A WSGI fast path for tracked links, the one endpoint the whole internet hits.

`GET /s/<code>` for a known code is answered here, before Flask builds a
request: one indexed lookup, one insert, a 302 with the same security headers
and request-log line every page has. Anything else (unknown or malformed codes,
other methods) falls through to the Flask view, which renders the friendly 404
and applies the rate limit on misses. The Flask route `library.go` stays the
reference implementation and does the same through `services.follow`.
"""

from __future__ import annotations

import logging
import re
import time

from flask import Flask

from app.security import CONTENT_SECURITY_POLICY

PATH = re.compile(r"^/s/([A-Za-z0-9_-]{16,32})$")
log = logging.getLogger("touchpoint.request")


class TrackedLinkFastPath:
    """Wraps the app's WSGI callable; answers hits on tracked links directly."""

    def __init__(self, wsgi_app, flask_app: Flask):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app
        self.headers = [
            ("Cache-Control", "no-store"),
            ("Referrer-Policy", "no-referrer"),
            ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Content-Length", "0"),
        ]
        if flask_app.config.get("HSTS_ENABLED"):
            self.headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        match = PATH.match(environ.get("PATH_INFO", "")) if method in ("GET", "HEAD") else None
        if match is None:
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        from app.library import services

        with self.flask_app.app_context():
            destination = services.follow(match.group(1), environ.get("REMOTE_ADDR", ""),
                                          environ.get("HTTP_USER_AGENT", ""), environ.get("HTTP_REFERER"))
        if destination is None:
            return self.wsgi_app(environ, start_response)
        start_response("302 Found", [("Location", destination), *self.headers])
        if log.isEnabledFor(logging.INFO):
            log.info("%s %s 302 %.1fms", method, environ["PATH_INFO"], (time.perf_counter() - started) * 1000)
        return [b""]
