"""Item pipelines, one concern per module, in ITEM_PIPELINES order: parse, validate, store (whose archive write dedupes)."""
