"""The SQLite archive: schema migrations (schema.py) and every read and write (db.py)."""

from .db import Archive, connect, content_hash

__all__ = ["Archive", "connect", "content_hash"]
