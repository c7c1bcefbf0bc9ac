"""Answers walked once: orjson serialises a read's typed view or signed document directly, where FastAPI would walk it
twice (``jsonable_encoder`` in the route, then again for the response model); the documented schema is unchanged."""

import orjson
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response


def json_response(value: object) -> Response:
    return Response(orjson.dumps(value, default=jsonable_encoder), media_type="application/json")
