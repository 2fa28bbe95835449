"""Exports that are folders or packages rather than one stream: Parquet (partitioned by site and month),
plain text or Markdown per article, and WACZ (the WARC export with its index, for replay tools)."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from . import export, read

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def month_of(row: dict[str, Any]) -> str:
    """The partition month: of published_at_utc; when the page stated no offset, of the stated time
    (its calendar month as printed); "unknown" when it stated no time."""
    if row.get("published_at_utc") is not None:
        return row["published_at_utc"].strftime("%Y-%m")
    stated = row.get("published_at") or ""
    return stated[:7] if re.match(r"\d{4}-\d{2}", stated) else "unknown"


def write_parquet(db: Database, out_dir: str | Path, *, batch_size: int = 5000, **filters) -> int:
    """Hive-style folders out_dir/site=S/month=YYYY-MM/*.parquet, the API's columns and types
    (read.arrow_schema()); `site` and `month` are the folder keys. Streams in batches."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    out_dir = Path(out_dir)
    count = 0

    def counted():
        nonlocal count
        for row in export.iter_articles(db, **filters):
            count += 1
            yield row

    schema = read.arrow_schema().append(pa.field("month", pa.string()))
    batches = read.arrow_batches(counted(), batch_size, extra=("month", pa.string(), month_of))
    ds.write_dataset(batches, out_dir, schema=schema, format="parquet",
                     partitioning=ds.partitioning(pa.schema([("site", pa.string()), ("month", pa.string())]), flavor="hive"),
                     existing_data_behavior="error", basename_template="part-{i}.parquet", max_rows_per_group=batch_size)
    return count


def article_text(article: dict[str, Any], markdown: bool) -> str:
    """One article as a text file: headline, where and when, authors, body (Markdown: with credits and links)."""
    when = article.get("published_at") or "no date stated"
    if article.get("published_at_utc"):
        when += f" ({article['published_at_utc']})"
    authors = ", ".join(article.get("authors") or [])
    if not markdown:
        head = [article.get("headline") or "", "", article["canonical_url"], f"Published: {when}"]
        if authors:
            head.append(f"By: {authors}")
        return "\n".join(head) + "\n\n" + (article.get("body") or "") + "\n"
    lines = [f"# {article.get('headline') or article['canonical_url']}", "",
             f"- URL: <{article['canonical_url']}>", f"- Site: {article.get('site')}, section {article.get('section') or '-'}",
             f"- Published: {when}"]
    if article.get("updated_at"):
        lines.append(f"- Updated: {article['updated_at']}")
    if authors:
        lines.append(f"- Authors: {authors}")
    lines += ["", article.get("body") or ""]
    if article.get("image_credits"):
        lines += ["", "## Image credits", ""] + [f"- {c.get('raw') or ''} {c.get('caption') or ''}".rstrip() for c in article["image_credits"]]
    if article.get("related_links"):
        lines += ["", "## Related", ""] + [f"- [{link.get('title') or link['url']}](<{link['url']}>)" for link in article["related_links"]]
    return "\n".join(lines) + "\n"


def write_text_files(db: Database, out_dir: str | Path, *, markdown: bool, **filters) -> int:
    """One file per article: out_dir/<site>/<id>.txt or .md (a new folder: existing files are never overwritten)."""
    out_dir = Path(out_dir)
    suffix = ".md" if markdown else ".txt"
    n = 0
    for article in export.iter_articles(db, **filters):
        folder = out_dir / (_SAFE.sub("_", article.get("site") or "unknown") or "unknown")
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{article['id']}{suffix}", "x", encoding="utf-8") as out:
            out.write(article_text(article, markdown))
        n += 1
    return n


def surt(url: str) -> str:
    """The SURT form replay indexes sort by: host reversed with commas, no www., lowercase, then path?query."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    key = ",".join(reversed(host.split(".")))
    if parts.port and parts.port not in (80, 443):
        key += f":{parts.port}"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return f"{key})" + (parts.path or "/").lower() + (f"?{query.lower()}" if query else "")


def _cdxj_lines(warc_path: Path) -> list[str]:
    from warcio.archiveiterator import ArchiveIterator

    lines = []
    with open(warc_path, "rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            stamp = datetime.strptime(record.rec_headers.get_header("WARC-Date"), "%Y-%m-%dT%H:%M:%SZ").strftime("%Y%m%d%H%M%S")
            status = record.http_headers.get_statuscode() if record.http_headers else "200"
            mime = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip() if record.http_headers else ""
            digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
            record.raw_stream.read()  # to the record's end, so that its length is known
            entry = {"url": url, "mime": mime or "unk", "status": status, "digest": digest,
                     "length": str(records.get_record_length()), "offset": str(records.get_record_offset()),
                     "filename": "data.warc.gz"}
            lines.append(f"{surt(url)} {stamp} {json.dumps(entry)}")
    return sorted(lines)


def write_wacz(db: Database, out: IO[bytes], *, software: str, **filters) -> int:
    """A WACZ 1.1.1 package: archive/data.warc.gz (the WARC export), indexes/index.cdx (CDXJ),
    pages/pages.jsonl (one page per article response), datapackage.json (with sha256 of each) and
    datapackage-digest.json. Files are stored, not deflated, as the format asks."""
    with tempfile.TemporaryDirectory(prefix="newsspider-wacz-") as tmp:
        warc = Path(tmp) / "data.warc.gz"
        with open(warc, "wb") as fh:
            n = export.write_warc(db, fh, software=software, **filters)
        pages = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"})]
        for raw in export.iter_raw(db, **filters):
            pages.append(json.dumps({"url": raw["final_url"], "ts": export._warc_date(raw["fetched_at"]), "id": f"r{raw['id']}"}))
        files = {"indexes/index.cdx": ("\n".join(_cdxj_lines(warc)) + "\n").encode(),
                 "pages/pages.jsonl": ("\n".join(pages) + "\n").encode()}
        warc_hash = hashlib.sha256()
        with open(warc, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                warc_hash.update(chunk)
        resources = [{"name": "data.warc.gz", "path": "archive/data.warc.gz", "hash": "sha256:" + warc_hash.hexdigest(),
                      "bytes": warc.stat().st_size}]
        resources += [{"name": Path(path).name, "path": path, "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                      for path, data in files.items()]
        created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        package = {"profile": "data-package", "resources": resources, "created": created, "wacz_version": "1.1.1",
                   "software": software, "title": "newsspider archive export"}
        package_bytes = json.dumps(package, indent=2).encode()
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
        # Straight to `out` (stdout too: zipfile writes data descriptors when it cannot seek); the WARC from its file.
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.write(warc, "archive/data.warc.gz")
            for path, data in files.items():
                zf.writestr(path, data)
            zf.writestr("datapackage.json", package_bytes)
            zf.writestr("datapackage-digest.json", json.dumps(digest, indent=2).encode())
    return n
