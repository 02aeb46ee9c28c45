"""Errors answered the way Google APIs answer them: ``{"error": {"code", "message", "status"}}``."""

from __future__ import annotations

from typing import Any

_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
           429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 501: "UNIMPLEMENTED", 503: "UNAVAILABLE"}


class ApiError(Exception):
    """An error reply; ``body()`` is the JSON the real API sends."""

    def __init__(self, code: int, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message,
                                 "status": _STATUS.get(self.code, "UNKNOWN")}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def unknown_field(name: str, where: str = "") -> ApiError:
    """What the API says for a JSON field or query parameter it does not know."""
    at = f" at '{where}'" if where else ""
    message = f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.'
    return ApiError(400, message, [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                                    "fieldViolations": [{"field": where, "description": message}]}])


def unknown_parameter(name: str) -> ApiError:
    message = f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter. ' \
              f"Field '{name}' could not be found in request message."
    return ApiError(400, message, [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                                    "fieldViolations": [{"description": message}]}])


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.")


def unparsable_range(text: str) -> ApiError:
    return bad_request(f"Unable to parse range: {text}")
