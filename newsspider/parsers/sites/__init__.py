"""Site parsers: one module per site, each registering its hosts on import (see base.BaseParser)."""
