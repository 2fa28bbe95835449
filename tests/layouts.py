"""Template variants of the people_fr mirror: the same articles in other markup.

The real site's markup differs from the mirror and changes over time; these
transforms check that the parser keeps every field when class names, CMS
comments and image markup change.
"""

from __future__ import annotations

import re


def no_cms_comments(html: str) -> str:
    html = re.sub(r"<!--\s*/?\s*enpcontent\s*-->", "", html)
    return re.sub(r"<!--enpproperty.*?/enpproperty-->", "", html, flags=re.S)


RENAMES = {
    "p_content": "artBody",
    "d2txt": "article-text",
    "d2_related_l": "xglist",
    "d2_related": "box_xg",
    "d2_wechat": "qr",
    "d2_time": "pubtime",
    "picdesc": "pic-note",
    "d2_right": "aside-col",
    "d2_left": "main-col",
    "p2_box": "hotbox",
    "zdfy": "pager",
    "d2_share": "tools",
    "list_14": "ul14",
}


def renamed_classes(html: str) -> str:
    for old, new in RENAMES.items():
        html = re.sub(rf'(?<=["\s]){re.escape(old)}(?=["\s])', new, html)
    return html


_IMAGE_TABLE = re.compile(r"<table[^>]*>\s*<tbody>(?P<rows>.*?)</tbody>\s*</table>", re.S)


def figures(html: str) -> str:
    """Image tables become <figure><img><figcaption> (the HTML5 way)."""

    def repl(m):
        rows = m.group("rows")
        img = re.search(r"<img[^>]*>", rows)
        if not img:
            return m.group(0)
        cells = [re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rows, re.S)]
        text = " ".join(" ".join(c.split()) for c in cells if c.strip())
        caption = f"<figcaption>{text}</figcaption>" if text else ""
        return f"<figure>{img.group(0)}{caption}</figure>"

    return _IMAGE_TABLE.sub(repl, html)


def html5(html: str) -> str:
    """All of it at once, plus a <div> wrapper soup: what a redesign looks like."""
    html = figures(renamed_classes(no_cms_comments(html)))
    html = html.replace('<div class="pubtime">', '<div class="meta"><span>Source : Xinhua</span> | <span class="pubtime">')
    return html


VARIANTS = {
    "no-cms-comments": no_cms_comments,
    "renamed-classes": renamed_classes,
    "figures": figures,
    "html5": html5,
}


def no_wechat(html: str) -> str:
    """Renamed classes and no WeChat block: only the position of the list is left."""
    html = renamed_classes(html)
    html = re.sub(r'<div class="qr[^"]*">.*?</div>', "", html, flags=re.S)
    html = re.sub(r"<(p|li)[^>]*>(?:(?!</\1>).)*WeChat(?:(?!</\1>).)*</\1>", "", html, flags=re.S)
    return html


def titled_related(html: str) -> str:
    """The related list under an "À lire aussi" heading, in a plain <div>."""
    html = no_wechat(html).replace('<div class="box_xg clearfix">', '<div class="box"><h3>À lire aussi</h3><div>')
    return html.replace('<div class="xglist fl">', '<div class="col">')


VARIANTS["no-wechat"] = no_wechat
VARIANTS["titled-related"] = titled_related


def without_related(html: str) -> str:
    """No related list at all, and a sidebar with neutral class names: must give []."""
    html = re.sub(r'<div class="d2_related clearfix">.*?</div>\s*</div>\s*</div>', "</div>", html, count=1, flags=re.S)
    return html.replace("d2_right fr", "col2").replace("p2_box", "box")


# Variants whose expected related_links are empty.
NO_RELATED = {"without-related": without_related}
