"""The API's reference at /docs: one page built from the OpenAPI schema, loading nothing else."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

METHODS = ("get", "post", "put", "patch", "delete")


def type_of(schema: dict[str, Any]) -> str:
    """A schema in a few words: 'string', 'list of Reply', 'integer or null', 'one of a, b'."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    for either in ("anyOf", "oneOf", "allOf"):
        if either in schema:
            return " or ".join(type_of(part) for part in schema[either])
    if schema.get("type") == "array":
        return "list of " + type_of(schema.get("items", {}))
    return str(schema.get("type", "any"))


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation in the order the app declares them, each ready for the page."""
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or ["other"])[0],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": parameter["in"],
                            "required": parameter.get("required", False),
                            "type": type_of(parameter.get("schema", {})),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "body": [
                        (kind, type_of(content.get("schema", {}))) for kind, content in body.items()
                    ],
                    "responses": [
                        (code, answer.get("description", ""))
                        for code, answer in operation.get("responses", {}).items()
                    ],
                    "secured": bool(operation.get("security")),
                }
            )
    return found


def schemas(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "fields": [
                (field, type_of(detail), field in schema.get("required", []))
                for field, detail in schema.get("properties", {}).items()
            ],
        }
        for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())
    ]


@router.get("/docs")
def api_docs(request: Request) -> Response:
    spec = request.app.openapi()
    style_nonce = secrets.token_urlsafe(16)
    page = {
        "info": spec.get("info", {}),
        "operations": operations(spec),
        "schemas": schemas(spec),
        "style_nonce": style_nonce,
    }
    response = templates.TemplateResponse(request, "api/docs.html", page)
    # Nothing from anywhere else, and no script at all.
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{style_nonce}'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
