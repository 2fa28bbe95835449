"""Items on their way from a worker to `newsspider ingest`: one JSON message each, versioned.

Format 1, one UTF-8 JSON object per Redis list entry:

    {"v": 1, "id": ..., "kind": "article" | "unparsed" | "seen" | "report", "spider": ..., "worker": ..., "item": {...}}

- id: made by the worker, unique to the message (a random UUID, hex). Ingest records the ids
  it wrote in the same transaction as the rows, so a message written twice (a killed ingest's
  last batch, a push Redis applied but whose reply was lost) is written once. A message
  without one (from a newsspider before ids) is known by the SHA-256 of its bytes.

- article: {"article": Article.to_dict(), "fetched_at", "fetch_url", "status", "raw": RAW or null}
- unparsed: {"raw": RAW, "fetched_at", "error", "outcome"}
- seen: {"url", "seen_at", "reason"}
- report: a worker's end of run: {"job", "started_at", "finished_at", "finish_reason", "counts", "pushed"}

RAW is {"url", "final_url", "status", "headers": [[name, value], ...], "encoding", "body"}
with the body zlib-compressed, then base64: JSON has no bytes, and pages compress 3-4x,
which is what a backlog costs in Redis memory. Everything else stays readable with
`redis-cli lindex PREFIX:items -1`. A reader refuses a version it does not know rather
than guess; dedupe verdicts (content_hash, known, duplicate_of) are the writer's to make
and never travel.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

from ..items import Article, CrawledArticle, RawFetch, SeenAgain, UnparsedPage

FORMAT_VERSION = 1
KINDS = ("article", "unparsed", "seen", "report")


class UnreadableMessage(ValueError):
    """Not a message this version of newsspider can read."""


@dataclass
class Message:
    id: str
    kind: str
    spider: str | None
    worker: str | None
    item: CrawledArticle | UnparsedPage | SeenAgain | None = None
    report: dict[str, Any] | None = None


def new_id() -> str:
    return uuid.uuid4().hex


def fallback_id(data: bytes) -> str:
    """The id of a message that carries none, or cannot be read: its bytes' digest, so a replay has the same."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def encode_item(item, *, spider: str, worker: str, message_id: str | None = None) -> bytes:
    if isinstance(item, CrawledArticle):
        kind = "article"
        body = {"article": item.article.to_dict(), "fetched_at": item.fetched_at, "fetch_url": item.fetch_url,
                "status": item.status, "raw": _raw(item.raw) if item.raw is not None else None,
                "parser": item.parser, "parser_version": item.parser_version}
    elif isinstance(item, UnparsedPage):
        kind = "unparsed"
        body = {"raw": _raw(item.raw), "fetched_at": item.fetched_at, "error": item.error, "outcome": item.outcome}
    elif isinstance(item, SeenAgain):
        kind = "seen"
        body = {"url": item.url, "seen_at": item.seen_at, "reason": item.reason}
    else:
        raise TypeError(f"not an archive item: {type(item).__name__}")
    return _dumps({"v": FORMAT_VERSION, "id": message_id or new_id(), "kind": kind, "spider": spider, "worker": worker, "item": body})


def encode_report(report: dict[str, Any], *, spider: str, worker: str, message_id: str | None = None) -> bytes:
    return _dumps({"v": FORMAT_VERSION, "id": message_id or new_id(), "kind": "report", "spider": spider, "worker": worker,
                   "item": report})


def decode(data: bytes) -> Message:
    try:
        envelope = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableMessage(f"not JSON: {exc}") from None
    if not isinstance(envelope, dict) or envelope.get("v") != FORMAT_VERSION:
        version = envelope.get("v") if isinstance(envelope, dict) else None
        raise UnreadableMessage(f"format version {version!r}, this newsspider reads {FORMAT_VERSION}")
    kind, body = envelope.get("kind"), envelope.get("item")
    if kind not in KINDS:
        raise UnreadableMessage(f"unknown kind {kind!r}")
    message_id = envelope.get("id")
    if message_id is not None and not isinstance(message_id, str):
        raise UnreadableMessage(f"bad message id {message_id!r}")
    message = Message(id=message_id or fallback_id(data), kind=kind, spider=envelope.get("spider"), worker=envelope.get("worker"))
    try:
        if kind == "article":
            message.item = CrawledArticle(
                article=Article.from_dict(body["article"]), fetched_at=body["fetched_at"], fetch_url=body["fetch_url"],
                status=int(body["status"]), raw=_unraw(body["raw"]) if body.get("raw") else None,
                parser=body.get("parser"), parser_version=body.get("parser_version"),
            )
        elif kind == "unparsed":
            message.item = UnparsedPage(raw=_unraw(body["raw"]), fetched_at=body["fetched_at"], error=body["error"], outcome=body["outcome"])
        elif kind == "seen":
            message.item = SeenAgain(url=body["url"], seen_at=body["seen_at"], reason=body["reason"])
        elif kind == "report":
            if not isinstance(body, dict):
                raise TypeError("a report is an object")
            message.report = body
    except (KeyError, TypeError, ValueError, zlib.error) as exc:
        raise UnreadableMessage(f"bad {kind} message: {type(exc).__name__}: {exc}") from None
    return message


def _dumps(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _raw(raw: RawFetch) -> dict[str, Any]:
    return {
        "url": raw.url, "final_url": raw.final_url, "status": raw.status,
        "headers": [list(pair) for pair in raw.headers], "encoding": raw.encoding,
        "body": base64.b64encode(zlib.compress(raw.body, 6)).decode("ascii"),
    }


def _unraw(data: dict[str, Any]) -> RawFetch:
    return RawFetch(
        url=data["url"], final_url=data["final_url"], status=int(data["status"]),
        headers=[(str(name), str(value)) for name, value in data["headers"]], encoding=data.get("encoding"),
        body=zlib.decompress(base64.b64decode(data["body"], validate=True)),
    )
