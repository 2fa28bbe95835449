"""A DNS resolver for test crawls that answers 127.0.0.1 for every host name.

    -s TWISTED_DNS_RESOLVER=tests.support.loopback.LoopbackResolver

A test that checks a host is never contacted points that host's links and redirects at a
port where a local server logs requests: if the crawler wrongly follows them, the request
lands in that log rather than on the network. No name is ever looked up.
"""

from __future__ import annotations

from twisted.internet import defer
from twisted.internet.base import ReactorBase
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

LOOPBACK = "127.0.0.1"


@implementer(IResolverSimple)
class LoopbackResolver:
    def __init__(self, reactor: ReactorBase):
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler, reactor: ReactorBase) -> LoopbackResolver:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout=()) -> defer.Deferred:
        return defer.succeed(LOOPBACK)
