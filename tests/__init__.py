"""newsspider's tests, a package so that their helpers have one name: tests.support.<module>.

Worker processes and crawl subprocesses import test plug-ins by dotted name
(NEWSSPIDER_PARSE_FUNCTION=tests.support.slowparse.<name>, TWISTED_DNS_RESOLVER=tests.support.loopback...),
which needs the repository root on their sys.path: tests/support/__init__.py sees to it.
"""
