"""Item pipelines, one concern per module, in ITEM_PIPELINES order: validate, dedupe, store."""
