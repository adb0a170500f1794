"""OpenAPI schema additions: the error responses every API operation may give."""

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "An error. `detail` says what went wrong; a rejected input has one entry per field "
        "(or `non_field_errors`) with a list of messages."
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: messages per field",
    "401": "Not authenticated, or a revoked or altered token",
    "403": "Visible to you, but not yours to change",
    "404": "Not found, or outside your relationships",
    "409": "Changed since you read it (send the current version)",
    "429": "Too many requests; retry later",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the JSON error responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            codes = ["400", "401", "403", "404", "429"]
            if method == "patch":
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result
