"""Domain errors. Each carries its HTTP meaning and a message safe to show to users.

RenkeiError
 ├── ValidationError      409  field -> [messages]   (CKAN "Validation Error")
 ├── SearchQueryError     409  bad q / fq / sort     (CKAN "Search Query Error")
 ├── NotFound             404                          (CKAN "Not Found Error")
 ├── NotAuthorized        403                          (CKAN "Authorization Error")
 ├── BadRequest           400  malformed request body  (CKAN "Bad request")
 └── PayloadTooLarge      413  upload over the limit   (reported as a Validation Error body)
"""

from __future__ import annotations

from typing import Any


class RenkeiError(Exception):
    status_code = 500
    ckan_type = "Internal Server Error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def ckan_error(self) -> dict[str, Any]:
        return {"__type": self.ckan_type, "message": self.message}


class ValidationError(RenkeiError):
    status_code = 409
    ckan_type = "Validation Error"

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors

    def ckan_error(self) -> dict[str, Any]:
        return {"__type": self.ckan_type, **self.errors}


class SearchParameterError(ValidationError):
    """A package_search parameter that can't be used: the request is malformed (400)."""

    status_code = 400


class SearchQueryError(RenkeiError):
    # CKAN answers 409 here; a query that can't be read is a malformed request, so 400.
    status_code = 400
    ckan_type = "Search Query Error"

    def ckan_error(self) -> dict[str, Any]:
        return {"__type": self.ckan_type, "message": f"Search Query is invalid: {self.message}"}


class NotFound(RenkeiError):
    status_code = 404
    ckan_type = "Not Found Error"


class NotAuthorized(RenkeiError):
    status_code = 403
    ckan_type = "Authorization Error"


class BadRequest(RenkeiError):
    status_code = 400
    ckan_type = "Bad request"


class PayloadTooLarge(RenkeiError):
    status_code = 413
    ckan_type = "Validation Error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def ckan_error(self) -> dict[str, Any]:
        return {"__type": self.ckan_type, self.field: [self.message]}
