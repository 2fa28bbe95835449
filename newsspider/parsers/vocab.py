"""Class and id words that mark a box as not the article's own, one list per meaning.

The body, its figures, its timestamps and its related links each skip boxes by these
words; each builds its regex from the groups that mean what it skips (`boxes`), plus
words only it needs. A word added to a group here reaches every reader of that group.
"""

from __future__ import annotations

import re

# Teasers of other articles.
OTHER_ARTICLES = ("related", "teaser", "recommend")
# Lists of more articles beside or under this one.
MORE_ARTICLES = ("most-?read", "popular", "trending", "more-?(?:from|articles|stories)", "read-?more", "also-?read", "next-article")
# Advertising and sign-up boxes.
ADVERTISING = ("promo", "advert", r"\bads?\b", "sponsor", "newsletter")
# Boxes beside the article.
SIDE_BOXES = ("widget", "sidebar")
# Readers' comments.
COMMENTS = (r"comments?\b",)
# The site's own chrome: navigation, footer, sharing, cookie notices.
NAVIGATION = (r"\bnav", "menu", "footer", "breadcrumb", "toolbar", "cookie", "social", "share")
# French headings that introduce links to related articles ("À lire aussi", "Articles liés").
RELATED_HEADINGS_FR = (r"[àa]\s+lire\s+(?:aussi|[ée]galement)", r"lire\s+aussi", r"sur\s+le\s+m[êe]me\s+sujet",
                       r"articles?\s+(?:li[ée]s|connexes)", r"voir\s+aussi")


def boxes(*groups: tuple[str, ...]) -> re.Pattern:
    """One case-blind regex matching any word of `groups` (tuples of regex alternatives) in a class or id."""
    return re.compile("|".join(word for group in groups for word in group), re.I)
