"""Scrapy's HttpCompressionMiddleware, with decompression bombs counted.

Scrapy stops inflating a body at DOWNLOAD_MAXSIZE and drops the response with an IgnoreRequest
raised from process_response, which no other middleware sees and no stat records. Replacing
the stock middleware at its own priority is the one place that can count it:
newsspider/failures/too_large_decompressed.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest

from .failures import PREFIX


class CountingHttpCompressionMiddleware(HttpCompressionMiddleware):
    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            # The stock middleware raises IgnoreRequest only for a body that inflates past the cap.
            if self.stats:
                self.stats.inc_value(f"{PREFIX}/too_large_decompressed")
            raise
