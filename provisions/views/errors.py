"""Friendly error pages that never show a stack trace."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import get_template


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without context processors: the failure may be the database they would touch.
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        # The database is down and a middleware (sessions, sign-in state) hit it before any view
        # ran, so DatabaseUnavailableMiddleware could not answer: the same 503 page here.
        response = HttpResponse(get_template("503.html").render({}), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(get_template("500.html").render({}))
