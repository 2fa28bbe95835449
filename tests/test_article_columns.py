"""The archive's column lists come from items.Article: a field added there must have its columns."""

from newsspider.archive import Archive, connect, export, versions
from newsspider.items import COLUMN_FIELDS


def test_every_article_field_has_its_column_in_the_archive(tmp_path):
    Archive(tmp_path / "archive.db").close()  # creates and migrates it
    db = connect(str(tmp_path / "archive.db"))
    try:
        articles = set(db["articles"].columns_dict)
        snapshots = set(db["article_versions"].columns_dict)
    finally:
        db.close()
    assert set(COLUMN_FIELDS) <= set(export.ARTICLE_COLUMNS) <= articles
    assert set(COLUMN_FIELDS) <= set(versions.SNAPSHOT_COLUMNS) <= snapshots
