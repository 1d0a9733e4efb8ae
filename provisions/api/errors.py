"""The API's one error shape, and how domain exceptions become HTTP statuses.

Every error is `{"error": {"code": "...", "message": "...", "fields": {...}}}`; `fields` maps a
request field (as the client named it) to a list of messages.
"""

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

from provisions.services import EditConflict

logger = logging.getLogger(__name__)

# Service field names → the names an API client used in its request.
API_FIELD_NAMES = {
    "demands": "safeguards",
    "demand": "safeguard",
    "selectors": "target.selector",
    "quote": "target.selector",
    "in_reply_to": "inReplyTo",
    "body": "body.value",
    "language": "target.language",
}


class ApiError(Exception):
    """An error answered as-is: status, machine-readable code, message, optional fields."""

    def __init__(self, status: int, code: str, message: str, *, fields=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: str, *, fields=None, headers=None
) -> JsonResponse:
    payload = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def validation_fields(error: ValidationError) -> dict[str, list[str]]:
    """ValidationError → {api field: [messages]}, whatever shape the error was raised with."""
    if hasattr(error, "error_dict"):
        fields: dict[str, list[str]] = {}
        for name, messages in error.message_dict.items():
            fields.setdefault(API_FIELD_NAMES.get(name, name), []).extend(messages)
        return fields
    return {"__all__": list(error.messages)}


def _first_message(fields: dict[str, list[str]]) -> str:
    for messages in fields.values():
        if messages:
            return messages[0]
    return _("The request is not valid.")


def exception_response(exc: Exception) -> JsonResponse:
    """The JSON answer for any exception raised while handling an API request."""
    if isinstance(exc, ApiError):
        return error_response(
            exc.status, exc.code, exc.message, fields=exc.fields, headers=exc.headers
        )
    if isinstance(exc, ValidationError):
        fields = validation_fields(exc)
        return error_response(422, "validation_failed", _first_message(fields), fields=fields)
    if isinstance(exc, PermissionDenied):
        return error_response(
            403, "forbidden", str(exc) or _("You are not allowed to do this with this token.")
        )
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        return error_response(404, "not_found", _("Nothing here: check the address and the id."))
    if isinstance(exc, EditConflict):
        from provisions.api.w3c import annotation_etag

        etag = annotation_etag(exc.current)
        return error_response(
            409,
            "edit_conflict",
            _("Someone changed this annotation while you were editing it; nothing was saved."),
            fields={"version": [str(exc.current.version)]},
            headers={"ETag": etag},
        )
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("API: database unavailable: %s", exc.__class__.__name__)
        return error_response(
            503,
            "unavailable",
            _("TreatyWatch is briefly unavailable. Try again in a moment."),
            headers={"Retry-After": "30"},
        )
    if isinstance(exc, DatabaseError):
        logger.exception("API: database error")
    else:
        logger.exception("API: unexpected error")
    # Never a stack trace in the answer: the log has it.
    return error_response(500, "server_error", _("Something went wrong on our side."))
