"""Errors as JSON with field messages: the API's one mapping of services' errors.

DRF already answers its own errors (validation, authentication, permission, 404, throttling)
as JSON. Services raise core.errors.ServiceError subclasses: a 400 answers the messages by
field ("non_field_errors" for the request as a whole), any other status answers
{"detail": message}. Django's ValidationError and a database constraint's IntegrityError
become 400 with messages rather than a 500.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ServiceError

logger = logging.getLogger(__name__)


def validation_error_body(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        body = {}
        for field, messages in error.message_dict.items():
            key = "non_field_errors" if field == "__all__" else field
            body[key] = list(messages)
        return body
    return {"non_field_errors": list(error.messages)}


def service_error_body(exc: ServiceError) -> dict:
    if exc.status == status.HTTP_400_BAD_REQUEST:
        return exc.as_dict()
    return {"detail": str(exc.message)}


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response(service_error_body(exc), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        logger.info("IntegrityError turned into 400: %s", exc)
        return Response(
            {"non_field_errors": [_("That change conflicts with existing data.")]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
