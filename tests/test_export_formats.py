"""export: --published-since/--published-until on every format; Parquet by site and month; text and Markdown; WACZ."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import newsspider
from newsspider.cli import EXPORT_FORMATS, main
from tests.support import archives

N = 40
SINCE, UNTIL = "2024-01-03", "2024-01-08T12:00:00+02:00"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return archives.build(tmp_path_factory.mktemp("exp") / "archive.db", N, with_raw=True)


def run(*args):
    result = CliRunner().invoke(main, ["export", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def in_bounds(db):
    with newsspider.Archive(db) as archive:
        return {a.canonical_url: a for a in archive.articles(published_since=SINCE, until=UNTIL)}


def test_published_bounds_on_every_format(db, tmp_path):
    want = in_bounds(db)
    assert 0 < len(want) < N
    got = {}
    for fmt in EXPORT_FORMATS:
        out = tmp_path / (fmt + ("" if fmt in ("parquet", "text", "markdown") else f".{fmt}"))
        run("--db", str(db), "--format", fmt, "--published-since", SINCE, "--published-until", UNTIL, "-o", str(out))
        if fmt == "jsonl":
            got[fmt] = {json.loads(line)["canonical_url"] for line in out.read_text().splitlines()}
        elif fmt == "csv":
            import csv

            got[fmt] = {row["canonical_url"] for row in csv.DictReader(out.open())}
        elif fmt == "parquet":
            import pyarrow.dataset as ds

            got[fmt] = set(ds.dataset(out, partitioning="hive").to_table(columns=["canonical_url"])["canonical_url"].to_pylist())
        elif fmt in ("text", "markdown"):
            got[fmt] = {line.strip("- <>").removeprefix("URL: <").rstrip(">") for f in out.rglob("*.*") for line in f.read_text().splitlines()
                        if line.startswith(("http", "- URL:"))}
        elif fmt == "warc":
            from warcio.archiveiterator import ArchiveIterator

            with open(out, "rb") as fh:
                got[fmt] = {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh) if r.rec_type == "response"}
        elif fmt == "wacz":
            with zipfile.ZipFile(out) as zf:
                pages = [json.loads(x) for x in zf.read("pages/pages.jsonl").decode().splitlines()[1:]]
            got[fmt] = {p["url"] for p in pages}
    assert set(got) == set(EXPORT_FORMATS)
    for fmt, urls in got.items():
        assert urls == set(want), fmt


def test_parquet_same_columns_and_types_as_the_api(db, tmp_path):
    import pyarrow.dataset as ds

    out = tmp_path / "p"
    run("--db", str(db), "--format", "parquet", "-o", str(out))
    folders = sorted(str(p.relative_to(out)) for p in out.glob("*/*"))
    assert folders and all(f.startswith("site=") and "/month=" in f for f in folders)
    assert "site=naive_times/month=2024-01" in folders and any(f.endswith("month=unknown") for f in folders)
    table = ds.dataset(out, format="parquet", partitioning="hive").to_table()
    with newsspider.Archive(db) as archive:
        api = archive.to_arrow()
        frame = archive.to_pandas()
    assert table.num_rows == N
    for field in api.schema:
        if field.name != "site":  # the folder key: read back as the partition's type
            assert table.schema.field(field.name).type == field.type, field.name
    assert set(table.schema.names) == set(api.schema.names) | {"month"}
    back = table.to_pandas().sort_values("id").reset_index(drop=True)
    assert list(back["published_at_utc"].astype(str)) == list(frame["published_at_utc"].astype(str))
    assert [list(x) for x in back["authors"]] == list(frame["authors"])
    # A second export into the same folder is refused, never mixed with the first.
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 2 and "not an empty folder" in result.output


def test_text_and_markdown_files(db, tmp_path):
    run("--db", str(db), "--format", "markdown", "--site", "people_fr", "-o", str(tmp_path / "md"))
    run("--db", str(db), "--format", "text", "-o", str(tmp_path / "txt"))
    files = sorted((tmp_path / "md").rglob("*.md"))
    with newsspider.Archive(db) as archive:
        people = list(archive.articles(site="people_fr"))
    assert [f.name for f in files] == sorted(f"{a.id}.md" for a in people)
    first = next(a for a in people if a.image_credits)
    text = (tmp_path / "md" / "people_fr" / f"{first.id}.md").read_text()
    assert text.startswith(f"# {first.headline}\n") and first.body in text and first.image_credits[0]["raw"] in text
    assert len(list((tmp_path / "txt").rglob("*.txt"))) == N
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "text"])
    assert result.exit_code == 2 and "-o DIR" in result.output


def test_wacz_validates_with_the_wacz_package(db, tmp_path):
    out = tmp_path / "a.wacz"
    run("--db", str(db), "--format", "wacz", "-o", str(out))
    wacz = shutil.which("wacz") or str(Path(__import__("sys").executable).parent / "wacz")
    check = subprocess.run([wacz, "validate", "-f", str(out)], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "the passed WACZ is valid" in check.stdout
    with zipfile.ZipFile(out) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        index = zf.read("indexes/index.cdx").decode().splitlines()
        warc = zf.read("archive/data.warc.gz")
    assert len(index) == N and index == sorted(index)
    # Each index line points at its record in the WARC.
    from warcio.archiveiterator import ArchiveIterator
    import io

    key, stamp, entry = index[0].split(" ", 2)
    entry = json.loads(entry)
    record = next(ArchiveIterator(io.BytesIO(warc[int(entry["offset"]):int(entry["offset"]) + int(entry["length"])])))
    assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
    # Keys are the SURTs replay tools look up (checked against the surt package that pywb and py-wacz use).
    from surt import surt

    assert [line.split(" ", 1)[0] for line in index] == [surt(json.loads(line.split(" ", 2)[2])["url"]) for line in index]
