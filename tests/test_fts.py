"""The full-text index: kept in sync by triggers, accents and case folded."""

from __future__ import annotations

from newsspider.archive import Archive, fts
from tests.support.factories import make_crawled, paragraphs_for
from tests.test_pipelines import Chain

SEED = "Jack Ma : Alibaba suit de près le développement des PME russes"
# The seed mentions "technologies" once in its body; the other article says it in its headline too.
SEED_BODY = "\n\n".join(["Le fondateur du groupe chinois a rencontré à Saint-Pétersbourg des patrons de PME russes.",
                          *paragraphs_for(1), "Les technologies du commerce en ligne leur ouvriront le marché chinois."])
OTHER = "Xi Jinping fixe les objectifs pour les sciences et les technologies du pays"
OTHER_BODY = "\n\n".join(["Le président chinois veut faire des technologies un moteur de la croissance.", *paragraphs_for(2)])


def titles(archive, query):
    return [hit["headline"] for hit in fts.search(archive.db, query)]


def test_accents_and_case_are_ignored(tmp_path):
    with Chain(tmp_path / "a.db") as chain:
        chain.feed(make_crawled(1, headline=SEED, body=SEED_BODY), make_crawled(2, headline=OTHER, body=OTHER_BODY))
    with Archive(tmp_path / "a.db") as archive:
        seed = "Jack Ma : Alibaba suit de près le développement des PME russes"
        assert titles(archive, "developpement russes") == titles(archive, "DÉVELOPPEMENT Russes") == [seed]
        assert titles(archive, "petersbourg") == [seed]  # "Saint-Pétersbourg" in the body
        assert titles(archive, "alibab*") == [seed]
        # Best match first: the headline says it, the other article only mentions it.
        assert titles(archive, "technologies")[0] == "Xi Jinping fixe les objectifs pour les sciences et les technologies du pays"
        [hit] = fts.search(archive.db, "petersbourg")
        assert "**Pétersbourg**" in hit["snippet"]


def test_triggers_follow_inserts_updates_and_deletes(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        db = archive.db
        with db.atomic():
            db["articles"].insert({"id": 1, "canonical_url": "http://e.org/1", "url": "http://e.org/1", "site": "e", "headline": "Premier titre",
                                   "body": "Un texte sur la Bretagne.", "first_seen": "x", "last_seen": "x", "fetched_at": "x"})
        assert titles(archive, "bretagne") == ["Premier titre"]
        with db.atomic():
            db["articles"].update(1, {"body": "Un texte sur la Normandie."})
        assert titles(archive, "bretagne") == [] and titles(archive, "normandie") == ["Premier titre"]
        with db.atomic():
            db["articles"].update(1, {"last_seen": "y"})  # not indexed text: the index is left alone
        assert titles(archive, "normandie") == ["Premier titre"]
        with db.atomic():
            db["articles"].delete(1)
        assert titles(archive, "normandie") == []
        assert db.execute("select count(*) from articles_fts").fetchone()[0] == 0


def test_the_tokenizer_is_unicode61_without_diacritics(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        sql = archive.db.execute("select sql from sqlite_master where name = 'articles_fts'").fetchone()[0]
        au = archive.db.execute("select sql from sqlite_master where name = 'articles_au'").fetchone()[0]
    assert "tokenize='unicode61 remove_diacritics 2'" in sql and 'content="articles"' in sql
    assert "update of headline, body" in au
