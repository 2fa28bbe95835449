"""A crawl of a FaultServer with the real people_fr spider, in a subprocess, and what came of it.

Used by tests/test_faults.py, tests/test_security.py and bench/fault_table.py. Off-site URLs
point at a second local server, and the crawl resolves every host name to 127.0.0.1
(LoopbackResolver), so a request that should never be made shows in that server's log.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from newsspider.archive.db import Archive
from newsspider.commands.mirror import MirrorServer, people_fr_mounts
from newsspider.sites.people_fr import CANONICAL_HOST
from .faults import CRAWL_SETTINGS, FaultServer
from .synthetic import MIRROR_SITE

PEOPLE_FR = MIRROR_SITE.parent


def public(path: str) -> str:
    return f"http://{CANONICAL_HOST}{path}"


def fault_crawl_args(server: FaultServer, db: Path, *, sections: str, max_pages: str, urls: str = "", extra=()) -> list[str]:
    """`newsspider crawl people_fr` arguments for the fault server: its caps, and every host name resolved to 127.0.0.1."""
    settings = {
        **CRAWL_SETTINGS,
        "PEOPLE_FR_BASE_URL": server.url,
        "PEOPLE_FR_ALIAS_BASE_URL": f"{server.url}/alias/french.people.com.cn",
        # A local server: no politeness delay, and enough parallel requests that the slow faults overlap.
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "NEWSSPIDER_CONTACT": "tests@example.org",
        "TWISTED_DNS_RESOLVER": "tests.support.loopback.LoopbackResolver",
    }
    args = ["crawl", "people_fr", "--db", str(db)]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    return [*args, *extra, "-a", f"sections={sections}", "-a", f"max_pages={max_pages}", "-a", f"urls={urls}"]


def run_fault_crawl(tmp: Path, *, sections: str, max_pages: str, urls: str = "", extra=(), timeout: float = 300) -> SimpleNamespace:
    """Crawl the fault server into tmp/archive.db: the run, the server's hits and request log, the off-site log, the stats."""
    (tmp / "offsite").mkdir(exist_ok=True)
    db = tmp / "archive.db"
    with MirrorServer({"/": tmp / "offsite"}) as offsite:
        port = int(offsite.url.rsplit(":", 1)[1])
        with FaultServer(people_fr_mounts(PEOPLE_FR), offsite_base=f"http://offsite.example:{port}") as server:
            args = fault_crawl_args(server, db, sections=sections, max_pages=max_pages, urls=urls, extra=extra)
            run = subprocess.run([sys.executable, "-m", "newsspider", *args], capture_output=True, text=True, timeout=timeout)
            hits = dict(server.httpd.hits)
            requests = [path for path, _ in server.requests]
            table = server.faults
        offsite_requests = list(offsite.requests)
    with Archive(db) as archive:
        [run_row] = archive.db.query("select * from crawl_runs")
    return SimpleNamespace(run=run, db=db, hits=hits, requests=requests, offsite_requests=offsite_requests,
                           stats=json.loads(run_row["stats"]), run_row=run_row, faults=table)
