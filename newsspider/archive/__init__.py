"""The SQLite archive, and every line of SQL in newsspider, one concern per module.

schema.py (migrations), db.py (articles), raw.py (raw responses), versions.py
(history), neardup.py (near-duplicate links), fts.py (full-text index),
export.py (JSON lines, CSV, WARC), reparse_store.py (what `newsspider reparse` reads and writes),
read.py (`newsspider.Archive` for Python, and the listing `newsspider demo` prints).
"""

from .db import Archive, connect, content_hash

__all__ = ["Archive", "connect", "content_hash"]
