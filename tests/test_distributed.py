"""The pieces of a crawl shared through Redis: message formats, the coordination of workers, the writer."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import scrapy
from scrapy.settings import Settings

from tests.support.archive_helpers import CASES
from tests.support.paths import FROZEN_NOW
from newsspider.archive import Archive
from newsspider.runs.crawl import project_settings
from newsspider.distributed import RedisKeys, apply_worker_settings, connect, redact, request_codec
from newsspider.distributed import check_name
from newsspider.distributed import codec
from newsspider.distributed.coordinator import Coordinator, alive_workers, token
from newsspider.distributed.ingest import Ingest
from newsspider.items import CrawledArticle, RawFetch, SeenAgain, UnparsedPage
from newsspider.parsing import parse
from newsspider.sites.people_fr.spider import PeopleFrSpider


@pytest.fixture
def server(redis_url):
    return connect(redis_url)


@pytest.fixture
def keys(server):
    """Keys under a prefix of this test's own, deleted afterwards: the Redis may be shared."""
    k = RedisKeys(f"nstest-{uuid.uuid4().hex[:8]}", "people_fr")
    yield k
    doomed = list(server.scan_iter(match=f"{k.prefix}:*"))
    if doomed:
        server.delete(*doomed)


def crawled(case_id="9074390", body=None) -> CrawledArticle:
    case = CASES[case_id]
    html = case["path"].read_bytes()
    raw = RawFetch(url=case["url"], final_url=case["url"], status=200,
                   headers=[("Content-Type", "text/html"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
                   body=body if body is not None else html, encoding="utf-8")
    return CrawledArticle(article=parse(html, case["url"], now=FROZEN_NOW), fetched_at="2026-01-01T00:00:00+00:00",
                          fetch_url=case["url"], status=200, raw=raw)


# ---- the item format -------------------------------------------------------------------------
def test_an_article_with_its_raw_bytes_survives_the_trip():
    item = crawled(body=bytes(range(256)) * 3)  # not UTF-8, not text at all
    item.content_hash, item.known = "set by a worker's dedupe", True
    message = codec.decode(codec.encode_item(item, spider="people_fr", worker="w1"))
    assert (message.kind, message.spider, message.worker) == ("article", "people_fr", "w1")
    got = message.item
    assert got.article == item.article and got.raw == item.raw
    assert (got.fetched_at, got.fetch_url, got.status) == (item.fetched_at, item.fetch_url, item.status)
    # Verdicts are the writer's: a worker's never travel.
    assert got.content_hash is None and got.known is False and got.duplicate_of is None


def test_unparsed_pages_and_sightings_survive_the_trip():
    raw = crawled().raw
    page = UnparsedPage(raw=raw, fetched_at="2026-01-01T00:00:00+00:00", error="not an HTML page (application/pdf)", outcome="not_html")
    assert codec.decode(codec.encode_item(page, spider="s", worker="w")).item == page
    seen = SeenAgain(url="http://example.org/a", seen_at="2026-01-01T00:00:00+00:00", reason="not_modified")
    assert codec.decode(codec.encode_item(seen, spider="s", worker="w")).item == seen


def test_messages_are_readable_json_with_a_compressed_body():
    item = crawled()
    data = codec.encode_item(item, spider="people_fr", worker="w1")
    envelope = json.loads(data)
    assert envelope["v"] == codec.FORMAT_VERSION == 1
    assert envelope["item"]["article"]["headline"] == item.article.headline
    assert len(data) < len(item.raw.body)  # zlib, even after base64


@pytest.mark.parametrize("data, reason", [
    (b'{"v": 2, "kind": "article", "item": {}}', "format version 2"),
    (b"\x80not json", "not JSON"),
    (b'{"v": 1, "kind": "poem", "item": {}}', "unknown kind"),
    (b'{"v": 1, "kind": "article", "item": {"article": {}}}', "bad article"),
])
def test_unreadable_messages_are_refused_not_guessed(data, reason):
    with pytest.raises(codec.UnreadableMessage, match=reason):
        codec.decode(data)


# ---- the frontier's format ----------------------------------------------------------------
def test_requests_travel_as_json_with_their_bytes():
    spider = PeopleFrSpider()
    request = scrapy.Request("http://127.0.0.1/a", callback=spider.parse_section, cb_kwargs={"section": "Economie", "page": 2},
                             method="POST", body=b"\xff\x00", headers={"If-None-Match": '"abc"'}, meta={"handle_httpstatus_list": [304]})
    data = request_codec.dumps(request.to_dict(spider=spider))
    json.loads(data)  # plain JSON, no pickle
    from scrapy.utils.request import request_from_dict

    back = request_from_dict(request_codec.loads(data), spider=spider)
    assert (back.url, back.method, back.body, back.cb_kwargs, back.meta) == (request.url, "POST", b"\xff\x00", request.cb_kwargs, request.meta)
    assert back.headers.get("If-None-Match") == b'"abc"' and back.callback == spider.parse_section


def test_a_forged_request_class_is_refused():
    data = json.dumps({"url": "http://127.0.0.1/", "_class": "subprocess.Popen"}).encode()
    with pytest.raises(ValueError, match="refusing"):
        request_codec.loads(data)


def test_an_unserialisable_meta_value_fails_loudly():
    with pytest.raises(TypeError, match="frontier"):
        request_codec.dumps({"meta": {"x": object()}})


# ---- settings, names ------------------------------------------------------------------------------
def test_a_worker_runs_nothing_that_opens_the_archive():
    settings = project_settings({"ARCHIVE_DB": "/nonexistent/archive.db"})
    apply_worker_settings(settings, url="redis://127.0.0.1:6399/0", job="people_fr")
    pipelines = {k: v for k, v in settings.getdict("ITEM_PIPELINES").items() if v is not None}
    assert set(pipelines) == {"newsspider.pipelines.parse.ParsePipeline", "newsspider.pipelines.validate.ValidatePipeline",
                              "newsspider.distributed.push.RedisPushPipeline"}
    assert pipelines["newsspider.pipelines.validate.ValidatePipeline"] < pipelines["newsspider.distributed.push.RedisPushPipeline"]
    assert settings.getdict("EXTENSIONS")["newsspider.runs.recorder.CrawlRunRecorder"] is None
    assert settings["SCHEDULER"].endswith("RedisScheduler") and settings.getbool("SCHEDULER_PERSIST")
    assert settings["SCHEDULER_QUEUE_KEY"] == "newsspider:people_fr:requests"
    assert settings.getbool("NEWSSPIDER_INCREMENTAL") is False and settings.getbool("ARCHIVE_RECORD_RUNS") is False


@pytest.mark.parametrize("bad", ["", "a b", "a:b", "50%", "-x"])
def test_job_names_that_would_break_the_keys_are_refused(bad):
    with pytest.raises(ValueError):
        check_name(bad, "job")


def test_passwords_stay_out_of_logs():
    assert redact("redis://:s3cret@10.0.0.5:6379/0") == "redis://:***@10.0.0.5:6379/0"
    assert redact("redis://user:s3cret@host/1") == "redis://user:***@host/1"
    assert redact("redis://127.0.0.1:6399/0") == "redis://127.0.0.1:6399/0"


# ---- coordination -------------------------------------------------------------------------------
def test_a_crawl_ends_when_the_frontier_is_empty_and_no_worker_is_busy(server, keys):
    a, b = Coordinator(server, keys, "a"), Coordinator(server, keys, "b")
    assert a.join() == "new" and b.join() == "joined"
    server.zadd(keys.requests, {b"r1": 0})
    assert a.idle() == "work"  # the frontier has a request: stay
    assert b.pop() == b"r1"  # b is busy with it from this moment
    assert server.hexists(keys.inflight("b"), token(b"r1"))  # and holds it
    assert a.idle() == "wait"  # b's page may add requests
    assert not server.exists(keys.done)
    b.finish(token(b"r1"))  # as its engine says once the page went through the spider and pipelines
    assert b.idle() == "done"  # b's page added nothing, and a is idle
    assert not server.exists(keys.inflight("b"))
    assert server.exists(keys.done)
    assert alive_workers(server, keys) == 2
    a.leave(b"report-a")
    b.leave()
    assert alive_workers(server, keys) == 0
    assert server.lrange(keys.items, 0, -1) == [b"report-a"]


def test_the_next_crawl_starts_afresh_but_an_interrupted_one_resumes(server, keys):
    a = Coordinator(server, keys, "a")
    a.join()
    server.sadd(keys.dupefilter, "fp1")
    server.zadd(keys.requests, {b"r1": 0})
    a.leave()  # killed or stopped before the crawl was over: no done mark
    assert Coordinator(server, keys, "b").join() == "resumed"
    assert server.sismember(keys.dupefilter, "fp1") and server.zcard(keys.requests) == 1
    b = Coordinator(server, keys, "b")
    b.finish(token(b.pop()))
    assert b.idle() == "done"
    b.leave()
    c = Coordinator(server, keys, "c")
    assert c.join() == "new"
    assert not server.exists(keys.dupefilter) and not server.exists(keys.done)


def test_a_dead_worker_is_not_waited_for_once_its_lease_ends(server, keys):
    survivor = Coordinator(server, keys, "survivor")
    dead = Coordinator(server, keys, "dead", lease=1)
    survivor.join(), dead.join()
    server.zadd(keys.requests, {b"r1": 0})
    dead.pop()  # it took a request, then died without a word
    assert survivor.idle() == "wait"
    time.sleep(2.1)  # Redis's clock counts whole seconds
    # What the dead worker held is back in the frontier, for the survivor (#16: it used to be lost).
    assert survivor.idle() == "work"
    assert server.hget(keys.state, "dead") is None and not server.exists(keys.inflight("dead"))
    assert survivor.pop() == b"r1"
    survivor.finish(token(b"r1"))
    assert survivor.idle() == "done"


def test_a_request_taken_and_not_finished_goes_back_to_the_frontier(server, keys):
    server.zadd(keys.requests, {b"listing": -1, b"article": 0})
    a = Coordinator(server, keys, "a")
    a.join()
    assert a.pop() == b"listing"
    a.leave()  # stopped with it in hand: back in the frontier, with its priority
    assert server.zrange(keys.requests, 0, -1, withscores=True) == [(b"listing", -1.0), (b"article", 0.0)]
    again = Coordinator(server, keys, "a")  # the same id again (a reused pid), killed while holding one
    again.join()
    again.pop()
    assert Coordinator(server, keys, "a").join() == "joined" and server.zcard(keys.requests) == 2
    # An idle engine holds nothing: a pop whose reply was lost is put back too.
    assert again.pop() == b"listing"
    assert again.idle() == "work" and server.zcard(keys.requests) == 2


def test_reset_is_refused_while_workers_run(server, keys):
    a = Coordinator(server, keys, "a")
    a.join()
    server.sadd(keys.dupefilter, "fp1")
    assert a.reset() == 1 and server.exists(keys.dupefilter)
    a.leave()
    assert a.reset() == 0 and not server.exists(keys.dupefilter)


# ---- the writer -----------------------------------------------------------------------------------
def ingest(server, keys, db, **kw) -> Ingest:
    archive = Archive(db)
    writer = Ingest(server, keys, archive, idle_seconds=0, block_seconds=0.1, settings=Settings({"HEALTH_ENABLED": False}), **kw)
    result = writer.run(redis_url="redis://:pw@127.0.0.1/0")
    archive.close()
    return writer, result


def push(server, keys, *items, worker="w1"):
    for item in items:
        data = item if isinstance(item, bytes) else codec.encode_item(item, spider="people_fr", worker=worker)
        server.lpush(keys.items, data)


def test_ingest_stores_dedupes_and_records_its_run(server, keys, tmp_path):
    report = codec.encode_report({"job": "people_fr", "finish_reason": "finished", "counts": {"pages_fetched": 5, "not_found": 2, "http_errors": 1}},
                                 spider="people_fr", worker="w1")
    push(server, keys, crawled("9074390"), crawled("9065880"), crawled("9074390"), report)
    writer, result = ingest(server, keys, tmp_path / "a.db", batch_size=2)
    assert result.status == "finished" and result.exit_code == 0
    c = result.counts
    assert (c.articles_new, c.articles_unchanged, c.pages_fetched, c.not_found, c.http_errors) == (2, 1, 5, 2, 1)
    assert writer.batches == 2 and server.llen(keys.items) == 0 and not server.exists(keys.ingesting)
    with Archive(tmp_path / "a.db") as archive:
        assert archive.counts()["articles"] == 2
        run = archive.run(result.run_id)
    assert run["spider"] == "ingest" and run["status"] == "finished" and run["articles_new"] == 2
    assert "pw" not in run["args"]
    assert json.loads(run["stats"])["workers"][0]["worker"] == "w1"


def test_a_bad_message_is_set_aside_and_the_rest_stored(server, keys, tmp_path):
    push(server, keys, b'{"v": 99}', crawled("9074390"))
    _, result = ingest(server, keys, tmp_path / "a.db")
    assert result.rejected == 1 and result.counts.articles_new == 1
    [kept] = server.lrange(keys.rejected, 0, -1)
    assert "format version 99" in json.loads(kept)["error"] and json.loads(kept)["message"] == '{"v": 99}'


def test_a_batch_a_killed_ingest_was_writing_is_written_on_restart(server, keys, tmp_path):
    # LMOVE put them there; the process died before its commit and its delete.
    for item in (crawled("9074390"), crawled("9065880")):
        server.lpush(keys.ingesting, codec.encode_item(item, spider="people_fr", worker="w1"))
    _, result = ingest(server, keys, tmp_path / "a.db")
    assert result.counts.articles_new == 2 and not server.exists(keys.ingesting)


def test_ingest_with_nothing_to_store_is_empty(server, keys, tmp_path):
    _, result = ingest(server, keys, tmp_path / "a.db")
    assert result.status == "empty" and result.exit_code == 3


def test_ingest_waits_for_a_live_worker(server, keys, tmp_path):
    worker = Coordinator(server, RedisKeys(keys.prefix, "people_fr"), "w1", lease=2)
    worker.join()
    started = time.monotonic()
    _, result = ingest(server, keys, tmp_path / "a.db")
    # Its lease (2 s of Redis time) ran out without a word: then the queue's idleness counts.
    assert time.monotonic() - started >= 1.0
    assert result.status == "empty"


def test_ingest_raises_the_health_alarm_against_earlier_ingest_runs(server, keys, tmp_path):
    db = tmp_path / "a.db"
    settings = Settings({"HEALTH_ENABLED": True, "HEALTH_MIN_ARTICLES": 3, "HEALTH_HISTORY_RUNS": 5, "HEALTH_DROP_RATIO": 0.5})
    cases = ("9074390", "9065880", "9072551")

    def run(items):
        push(server, keys, *items)
        with Archive(db) as archive:
            return Ingest(server, keys, archive, idle_seconds=0, block_seconds=0.1, settings=settings).run(redis_url="redis://x")

    for _ in range(2):
        assert run([crawled(c) for c in cases]).exit_code == 0
    broken = [crawled(c) for c in cases]
    for item in broken:  # a redesign the parser no longer reads the update line of
        item.article.updated_at = item.article.updated_at_raw = None
    result = run(broken)
    assert result.status == "finished" and result.exit_code == 5
    assert [(a["site"], a["field"]) for a in result.alarms] == [("people_fr", "updated_at")]
    with Archive(db) as archive:
        assert json.loads(archive.run(result.run_id)["alarms"])[0]["field"] == "updated_at"


@pytest.mark.parametrize("overrides, expected", [({}, 0.25), ({"INGEST_LINGER_SECONDS": "0"}, 0.0)])
def test_ingest_takes_its_batch_wait_from_the_settings(tmp_path, monkeypatch, overrides, expected):
    import newsspider.distributed.ingest as ingest_module

    seen = {}
    monkeypatch.setattr(ingest_module.Ingest, "run", lambda self, redis_url: seen.setdefault("linger", self.linger_seconds))
    ingest_module.run_ingest("redis://127.0.0.1:1/0", str(tmp_path / "archive.db"), prefix="nstest", idle_seconds=0,
                             follow=False, settings=project_settings(overrides))
    assert seen["linger"] == expected


def test_a_batch_written_before_a_kill_is_skipped_when_taken_again(server, keys, tmp_path):
    messages = [codec.encode_item(crawled(c), spider="people_fr", worker="w1") for c in ("9074390", "9065880")]
    report = codec.encode_report({"job": "people_fr", "counts": {"pages_fetched": 2}}, spider="people_fr", worker="w1")
    server.lpush(keys.items, *messages, report)
    _, first = ingest(server, keys, tmp_path / "a.db")
    assert first.counts.articles_new == 2
    # The kill: committed, but still in the list it was taken into.
    server.lpush(keys.ingesting, *messages, report)
    writer, second = ingest(server, keys, tmp_path / "a.db")
    assert writer.replayed == 3 and not server.exists(keys.ingesting)
    c = second.counts
    assert (c.articles_new, c.articles_unchanged, c.pages_fetched) == (0, 0, 0)  # not stored, not counted
    with Archive(tmp_path / "a.db") as archive:
        assert archive.db["raw_responses"].count == 2
        assert archive.db["ingested_messages"].count == 3


def test_a_message_pushed_twice_is_written_once(server, keys, tmp_path):
    # A push Redis applied but whose reply was lost is pushed again: same message, same id.
    data = codec.encode_item(crawled("9074390"), spider="people_fr", worker="w1")
    server.lpush(keys.items, data, data)
    writer, result = ingest(server, keys, tmp_path / "a.db")
    assert (result.counts.articles_new, result.counts.articles_unchanged, writer.replayed) == (1, 0, 1)


def test_ingest_records_its_counts_as_each_batch_commits(server, keys, tmp_path):
    server.lpush(keys.items, *[codec.encode_item(crawled(c), spider="people_fr", worker="w1") for c in ("9074390", "9065880")])
    archive = Archive(tmp_path / "a.db")
    writer = Ingest(server, keys, archive, batch_size=1, idle_seconds=0, block_seconds=0.1, settings=Settings({"HEALTH_ENABLED": False}))
    writer.run_id = archive.start_run("ingest", {})
    writer._write(writer._take())
    # As a killed run leaves it: still "running", its first batch counted.
    row = archive.run(writer.run_id)
    assert (row["status"], row["articles_new"], json.loads(row["stats"])["batches"]) == ("running", 1, 0)
    archive.close()


def test_messages_carry_unique_ids_and_old_ones_get_their_digest():
    item = crawled()
    a, b = (codec.decode(codec.encode_item(item, spider="s", worker="w")) for _ in range(2))
    assert a.id != b.id and len(a.id) == 32
    old = json.loads(codec.encode_item(item, spider="s", worker="w"))
    del old["id"]
    data = json.dumps(old).encode()
    assert codec.decode(data).id == codec.fallback_id(data) == codec.decode(data).id
