"""Requests in the shared frontier as JSON, for scrapy-redis (SCHEDULER_SERIALIZER).

scrapy-redis pickles requests by default: whoever can write to the Redis could then run
code on every worker. JSON cannot carry code; bytes (bodies, headers) are tagged base64,
and a request class must be Scrapy's or ours.
"""

from __future__ import annotations

import base64
import json
from typing import Any

_BYTES = "__bytes__"
_ALLOWED_CLASS_PREFIXES = ("scrapy.http.", "newsspider.")


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {_key(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    # Better a loud error at enqueue time than a request that comes back different.
    raise TypeError(f"cannot put a {type(value).__name__} into the shared frontier: {value!r}")


def _key(key: Any) -> str:
    if isinstance(key, bytes):
        return key.decode("latin-1")  # header names
    if isinstance(key, str):
        return key
    raise TypeError(f"cannot put a {type(key).__name__} key into the shared frontier: {key!r}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def dumps(obj: dict) -> bytes:
    return json.dumps(_encode(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes) -> dict:
    obj = _decode(json.loads(data))
    cls = obj.get("_class")
    if cls is not None and not str(cls).startswith(_ALLOWED_CLASS_PREFIXES):
        raise ValueError(f"refusing request class {cls!r} from the shared frontier")
    return obj
