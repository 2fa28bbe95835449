"""`newsspider export`: JSON lines, CSV and WARC, streamed."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc

from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from newsspider.archive import Archive, connect
from newsspider.archive import export
from newsspider.archive import raw as raw_store
from newsspider.cli import main

SEED_HEADLINE = "Jack Ma : Alibaba suit de près le développement des PME russes"


def invoke(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_jsonl_has_every_article_with_its_credits_and_links(demo_archive, tmp_path):
    out = tmp_path / "a.jsonl"
    result = invoke("export", "--db", str(demo_archive[0]), "--format", "jsonl", "-o", str(out))
    assert "exported 12 articles as jsonl" in result.output
    articles = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a["id"] for a in articles] == list(range(1, 13))
    seed = next(a for a in articles if a["headline"] == SEED_HEADLINE)
    assert [c["raw"] for c in seed["image_credits"]] == ["(Xinhua/Bai Xueqi)"]
    assert len(seed["related_links"]) == 12 and seed["authors"] == []
    assert set(seed) == set(export.CSV_COLUMNS)
    with Archive(demo_archive[0]) as archive:
        assert sum(len(a["related_links"]) for a in articles) == archive.db["related_links"].count
        assert sum(len(a["image_credits"]) for a in articles) == archive.db["image_credits"].count


def test_csv_has_one_row_per_article_and_json_cells(demo_archive):
    result = invoke("export", "--db", str(demo_archive[0]), "--format", "csv", "--site", "people_fr")
    assert result.stderr == "exported 12 articles as csv\n"
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 12 and list(rows[0]) == list(export.CSV_COLUMNS)
    seed = next(r for r in rows if r["headline"] == SEED_HEADLINE)
    assert len(json.loads(seed["related_links"])) == 12
    assert "\n\n" in seed["body"]  # paragraphs survive the quoting


def test_since_and_site_filter(demo_archive):
    db = connect(demo_archive[0], readonly=True)
    try:
        assert len(list(export.iter_articles(db, since=export.parse_since("2100-01-01")))) == 0
        assert len(list(export.iter_articles(db, since=export.parse_since("2000-01-01")))) == 12
        assert len(list(export.iter_articles(db, site="example.org"))) == 0
    finally:
        db.close()
    assert export.parse_since("2024-06-01") == "2024-06-01T00:00:00+00:00"
    assert export.parse_since("2024-06-01T10:00:00+02:00") == "2024-06-01T08:00:00+00:00"


def test_warc_holds_every_response_and_reads_back_with_warcio(demo_archive, tmp_path):
    out = tmp_path / "a.warc.gz"
    result = invoke("export", "--db", str(demo_archive[0]), "--format", "warc", "-o", str(out))
    assert "exported 13 responses as warc" in result.output
    with Archive(demo_archive[0]) as archive:
        stored = {r["id"]: r for r in archive.db.query("select * from raw_responses")}
        bodies = {r["final_url"]: raw_store.body(archive.db, r["body_sha256"]) for r in stored.values()}
    records = []
    with open(out, "rb") as f:
        # Strict: digests are recomputed and a mismatch raises; HTTP headers must parse.
        for record in ArchiveIterator(f, check_digests="raise", verify_http=True):
            records.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), record.rec_headers.get_header("WARC-Date"),
                            record.http_headers and record.http_headers.get_statuscode(),
                            record.http_headers and record.http_headers.get_header("Content-Length"),
                            record.content_stream().read()))
    assert records[0][0] == "warcinfo"
    responses = records[1:]
    assert [r[0] for r in responses] == ["response"] * 13
    assert sorted(r[1] for r in responses) == sorted(r["final_url"] for r in stored.values())
    assert all(u.startswith("http://french.") for _, u, *_ in responses)  # public URLs, never the mirror's
    for _, url, date, status, length, payload in responses:
        assert status == "200"
        assert payload == bodies[url] and int(length) == len(payload)
        assert date.endswith("Z") and date[:10] == next(iter(stored.values()))["fetched_at"][:10]
    seed = next(p for _, u, _, _, _, p in responses if u.endswith("c31355-9074390.html"))
    assert "Jack Ma : Alibaba suit de près".encode() in seed


def test_exports_stream_in_constant_memory(tmp_path):
    """10x the articles must not take 10x the memory: rows are never all fetched at once."""
    path = tmp_path / "big.db"
    body = "Un paragraphe d'article assez long pour peser. " * 60  # ~3 kB
    with Archive(path) as archive, archive.db.atomic():
        archive.db["articles"].insert_all(
            ({"canonical_url": f"http://example.org/{i}", "url": f"http://example.org/{i}", "site": "example.org", "headline": f"Titre {i}",
              "body": body + str(i), "authors": "[]", "first_seen": "2026-01-01", "last_seen": "2026-01-01", "fetched_at": "2026-01-01"}
             for i in range(3000)), batch_size=500)
        archive.db["related_links"].insert_all(
            ({"article_id": i + 1, "position": 0, "title": "lien", "url": f"http://example.org/r{i}"} for i in range(3000)), batch_size=500)

    def peak(fmt):
        db = connect(path, readonly=True)
        tracemalloc.start()
        try:
            n = (export.write_jsonl if fmt == "jsonl" else export.write_csv)(db, _Discard())
            return n, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            db.close()

    for fmt in ("jsonl", "csv"):
        n, used = peak(fmt)
        assert n == 3000
        assert used < 1_000_000, f"{fmt}: {used} bytes for 3000 articles of 3 kB (9 MB)"


class _Discard(io.TextIOBase):
    def write(self, s):
        return len(s)


def _archive_with_side_files(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.start_run("news", {})
    (tmp_path / "a.db.lock").write_text("")
    keep = connect(db)  # holds the -wal and -shm files open, as a running crawl would
    keep.execute("select count(*) from crawl_runs").fetchone()
    return db, keep


def test_export_refuses_to_write_over_the_archive_or_its_side_files(tmp_path):
    import hashlib
    import os

    db, keep = _archive_with_side_files(tmp_path)
    (tmp_path / "link.jsonl").symlink_to(db)
    os.link(db, tmp_path / "hard.jsonl")
    sub = tmp_path / "sub"
    sub.mkdir()
    targets = [db, f"{db}-wal", f"{db}-shm", f"{db}.lock", tmp_path / "link.jsonl", tmp_path / "hard.jsonl", sub / ".." / "a.db"]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob("a.db*")}
    for fmt in ("jsonl", "csv", "warc"):
        for target in targets:
            result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", fmt, "-o", str(target)])
            assert result.exit_code == 2, (target, result.output)
            assert "refusing to write over it" in result.output and "Traceback" not in result.output
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob("a.db*")} == before
    keep.close()
    with Archive(db) as archive:
        assert archive.counts()["crawl_runs"] == 1


def test_export_files_are_not_world_writable_under_umask_000(demo_archive, tmp_path):
    import os
    import stat

    previous = os.umask(0)
    try:
        for fmt in ("jsonl", "csv", "warc"):
            out = tmp_path / f"a.{fmt}"
            invoke("export", "--db", str(demo_archive[0]), "--format", fmt, "-o", str(out))
            assert stat.S_IMODE(out.stat().st_mode) == 0o644, fmt
    finally:
        os.umask(previous)
