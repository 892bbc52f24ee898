"""Reading one Bot API request the way Telegram does: query string plus a JSON, urlencoded or multipart body.

aiogram sends small calls as form fields and uploads as multipart parts; the handlers want one dict of
parameters and the uploaded files by part name, whatever way they came.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .errors import ApiError, bad_request
from .registry import Upload


async def read_request(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Params from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            params.update(body)
        elif request.content_type in (
            "multipart/form-data",
            "application/x-www-form-urlencoded",
        ):
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge:
                raise ApiError("Request Entity Too Large", 413) from None
            for field_name, value in form.items():
                if isinstance(value, web.FileField):
                    files[field_name] = Upload(
                        value.filename, value.file.read(), value.content_type
                    )
                else:
                    params[field_name] = value
    # A file sent directly as the parameter (not via attach://) counts as attached.
    for part in files:
        referenced = any(
            isinstance(v, str) and f"attach://{part}" in v for v in params.values()
        )
        if not referenced and part not in params:
            params[part] = f"attach://{part}"
    return params, files
