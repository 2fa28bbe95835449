"""Template variants of the people_fr mirror: the same articles in other markup.

The real site's markup differs from the mirror and changes over time; these
transforms check that the parser keeps every field when class names, CMS
comments and image markup change.
"""

from __future__ import annotations

import copy
import html as _html
import json as _json
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


# ==== structural redesigns ==========================================================================
# Each takes the mirror page and its expected answer and returns a page of another template with
# the answer that page must give (the same, unless the redesign rewords what the answer quotes:
# the update line, a credit). They change markup the parser might lean on — paragraph markup,
# heading tags, where and how the update line is written, the related block, cards, share and
# newsletter boxes — while the site's language stays: that is what the parser must anchor on.


_ENP = re.compile(r"(<!--enpcontent-->)(?P<body>.*?)(<!--/enpcontent-->)", re.S)
_TIME_LINE = re.compile(r'<div class="d2_time">(?P<line>[^<]*)</div>')
_RELATED_BOX = re.compile(r'<div class="d2_related clearfix">.*?<div class="d2_wechat fr">.*?</div>\s*</div>', re.S)
_LINE_PARTS = re.compile(r"(\d{1,2})h(\d{2}) le (\d{1,2})/(\d{1,2})")
OTHER_ARTICLE = "http://french.peopledaily.com.cn/Chine/n3/2016/0101/c31354-8999999.html"


def _in_content(html: str, fn) -> str:
    return _ENP.sub(lambda m: m.group(1) + fn(m.group("body")) + m.group(3), html, count=1)


def _same(fn):
    """A markup-only transform: the expected answer does not change."""
    return lambda html, expected: (fn(html), expected)


def _tables_to_br(body: str) -> str:
    """Image tables become an <img>, a <br> and the caption text: a print view has no figure markup."""

    def repl(m):
        img = re.search(r"<img[^>]*>", m.group("rows"))
        if not img:
            return m.group(0)
        cells = [re.sub(r"<(?!br)[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", m.group("rows"), re.S)]
        text = " ".join(c.strip() for c in cells if c.strip())
        return f"{img.group(0)}<br />{text}<br /><br />"

    return _IMAGE_TABLE.sub(repl, body)


def br_paragraphs(html: str) -> str:
    """Paragraphs separated by <br><br> in a container without classes, images without tables."""
    html = html.replace('<div class="d2txt clearfix" id="p_content">', "<div>")

    def body(text):
        text = _tables_to_br(text)
        text = re.sub(r"<p[^>]*>", "", text)
        return text.replace("</p>", "<br /><br />")

    return _in_content(no_cms_comments_keep_content(html), body)


def no_cms_comments_keep_content(html: str) -> str:
    # The content markers are removed last by the callers that want them gone; here only enpproperty.
    return re.sub(r"<!--enpproperty.*?/enpproperty-->", "", html, flags=re.S)


def div_paragraphs(html: str) -> str:
    """One <div> per paragraph, no <p> anywhere in the text, no classes on the container."""
    html = html.replace('<div class="d2txt clearfix" id="p_content">', "<div>")
    return no_cms_comments(_in_content(html, lambda b: re.sub(r"<p(?=[\s>])", "<div", b).replace("</p>", "</div>")))


def heading_h2(html: str) -> str:
    """The headline in an <h2>, the <title> of a print view."""
    html = re.sub(r"<h1>(.*?)</h1>", r"<h2>\1</h2>", html)
    return re.sub(r"<title>(.*?) - French\.peopledaily\.com\.cn</title>", r"<title>\1 - Version imprimable - French.peopledaily.com.cn</title>", html)


def heading_div_and_logo_h1(html: str) -> str:
    """A logo in the only <h1>; the headline in a <div> with a class nobody guessed."""
    html = re.sub(r"<h1>(.*?)</h1>", r'<div class="hd_tt">\1</div>', html)
    return html.replace('<div class="logo fl">', '<h1 class="logo fl">Le Quotidien du Peuple en ligne</h1><div class="logo fl">')


def _reword(fmt: str, *, tag: str = "div", raw: str | None = None):
    """The update line written another way ({h}, {m}, {d}, {mo}: unpadded numbers; {H}, {M}, {D}, {MO}: padded)."""

    def layout(html, expected):
        m = _LINE_PARTS.search(expected["updated_at_raw"])
        h, mi, d, mo = (int(x) for x in m.groups())
        values = {"h": h, "m": f"{mi:02d}", "d": d, "mo": mo, "H": f"{h:02d}", "M": f"{mi:02d}", "D": f"{d:02d}", "MO": f"{mo:02d}",
                  "Y": expected["updated_at"][:4]}
        line = fmt.format(**values)
        html = _TIME_LINE.sub(lambda _: f"<{tag} class=\"pubtime\">{line}</{tag}>", html, count=1)
        shown = " ".join(re.sub(r"<[^>]+>", " " if raw == "spaced" else "", line).split())
        return html, {**expected, "updated_at_raw": " ".join(_html.unescape(shown).split())}

    return layout


def _update_line_elsewhere(html, expected):
    """The update line below the text, inside <small>, after a "Source" mention."""
    line = _TIME_LINE.search(html).group("line")
    html = _TIME_LINE.sub("", html, count=1)
    html = html.replace('<div class="zdfy clearfix"></div>',
                        f'<p><font size="2">Source : Xinhua | <small>{line}</small></font></p><div class="zdfy clearfix"></div>', 1)
    return html, expected


def _related_under(heading_html: str, *, plain: bool = False):
    """The related list introduced by a heading in its own words, in whatever tag carries it."""

    def layout(html, expected):
        box = _RELATED_BOX.search(html)
        if not box:
            return html, expected
        items = re.findall(r'<li><a href="([^"]+)"[^>]*>(.*?)</a></li>', box.group(0))
        if plain:
            links = "".join(f'<a href="{u}">{t}</a><br />' for u, t in items)
        else:
            links = "<ul>" + "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in items) + "</ul>"
        new = f"<div>{heading_html}{links}</div>"
        return renamed_classes(html[: box.start()] + new + html[box.end():]), expected

    return layout


def _cards(with_summary: bool = False):
    """Related articles as cards: an image, the title, a date glued after it (and a summary)."""

    def layout(html, expected):
        def card(m):
            summary = "<span>Un résumé de l'article en une phrase qui n'est pas son titre.</span>" if with_summary else ""
            return (f'<li class="card"><a href="{m.group(1)}"><img src="/NMediaFile/x.jpg" alt="" />'
                    f'<span>{m.group(2)}</span><span>26/11/2021</span>{summary}</a></li>')

        return re.sub(r'<li><a href="([^"]+)"[^>]*>(.*?)</a></li>', card, html), expected

    return layout


def inline_read_also(html: str) -> str:
    """An inline "Lire aussi : …" paragraph, linking another article, inside the text."""
    def body(text):
        paragraphs = [m.end() for m in re.finditer(r"</p>", text)]
        if not paragraphs:
            return text
        at = paragraphs[min(1, len(paragraphs) - 1)]
        return text[:at] + f'\n<p><strong>Lire aussi :</strong> <a href="{OTHER_ARTICLE}">Un autre article du site</a></p>' + text[at:]

    return _in_content(html, body)


def share_between_paragraphs(html: str) -> str:
    """Share buttons with text between two paragraphs, and a newsletter box, all without classes."""
    def body(text):
        paragraphs = [m.end() for m in re.finditer(r"</p>", text)]
        if not paragraphs:
            return text
        at = paragraphs[0]
        share = ('<div><span>Partager :</span> <a href="https://www.facebook.com/sharer.php?u=x">Facebook</a> '
                 '<a href="https://x.com/intent/tweet?url=x">X</a> <a href="javascript:window.print();">Imprimer</a></div>')
        return text[:at] + share + text[at:]

    html = _in_content(html, body)
    box = ('<div><h3>Newsletter</h3><p>Recevez chaque matin l\'essentiel de l\'actualité chinoise dans votre boîte aux lettres électronique.</p>'
           '<form><input type="text" /></form></div>')
    return html.replace('<div class="zdfy clearfix"></div>', box + '<div class="zdfy clearfix"></div>', 1)


def _no_related_but_chrome(html, expected):
    """No related section; navigation and share links under neutral names: the answer is []."""
    html = re.sub(_RELATED_BOX, '<div class="tools2"><a href="http://french.peopledaily.com.cn/">Accueil</a> '
                  '<a href="http://french.peopledaily.com.cn/Culture/index.html">Culture</a> '
                  '<a href="https://www.facebook.com/sharer.php?u=x">Facebook</a> <a href="https://x.com/intent/tweet">X</a></div>', html, count=1)
    return html.replace("d2_right fr", "col2").replace("p2_box", "box"), {**expected, "related_links": []}


def _wechat_in_a_title(html, expected):
    """A related article whose title mentions WeChat: it is a related link, not the WeChat block."""
    if not expected["related_links"]:
        return html, expected
    first = expected["related_links"][0]
    title = "WeChat lance un service de paiement pour les touristes étrangers"
    box = _RELATED_BOX.search(html)
    renamed = re.sub(r'(<li><a href="[^"]+\.html"[^>]*>)[^<]*(</a></li>)', lambda m: m.group(1) + title + m.group(2), box.group(0), count=1)
    html = html[: box.start()] + renamed + html[box.end():]
    return html, {**expected, "related_links": [{**first, "title": title}, *expected["related_links"][1:]]}


# ---- whole templates rebuilt from the article's answer -----------------------------------------

def _published(html: str) -> str | None:
    m = re.search(r"<date>(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)", html)
    return f"{m.group(1)}T{m.group(2)}+08:00" if m else None


def _credit_text(credit: dict, style: str) -> str:
    raw = credit["raw"]
    if (style != "paren" and raw.startswith("(") and "/" in raw and credit["agency"] and credit["photographer"]
            and raw[1:-1].startswith(credit["agency"])):
        raw = {"photo": f"Photo : {raw[1:-1]}", "copyright": f"© {raw[1:-1]}"}[style]
    return raw


def _spread(paragraphs: list[str], credits: list[dict]) -> list[tuple[str, object]]:
    """Paragraphs and images interleaved: the images spread through the text."""
    out: list[tuple[str, object]] = []
    slots = {round((i + 1) * len(paragraphs) / (len(credits) + 1)) for i in range(len(credits))}
    pending = list(credits)
    for i, p in enumerate(paragraphs):
        if i in slots and pending:
            out.append(("img", pending.pop(0)))
        out.append(("p", p))
    out.extend(("img", c) for c in pending)
    return out


def print_view(html, expected, *, line_tag="small", heading="<b>A lire aussi</b><br />"):
    """The print/light template: no classes, <br><br> paragraphs, <h2> headline, update line in <small>."""
    e = _html.escape
    credits = expected["image_credits"]
    parts = []
    for kind, item in _spread(expected["body"].split("\n\n"), credits):
        if kind == "p":
            parts.append(e(item) + "<br /><br />")
        else:
            caption = f"{e(item['caption'])} " if item["caption"] else ""
            parts.append(f'<img src="/NMediaFile/print.jpg" /><br />{caption}{e(item["raw"])}<br /><br />')
    related = "".join(f'<li><a href="{e(link["url"])}">{e(link["title"])}</a></li>' for link in expected["related_links"])
    page = f"""<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8" />
<title>{e(expected["headline"])} - Version imprimable - French.peopledaily.com.cn</title></head>
<body><table width="640" align="center"><tr><td>
<a href="http://french.peopledaily.com.cn/">Accueil</a> | <a href="javascript:window.print();">Imprimer</a> | \
<a href="javascript:window.close();">Fermer</a>
<h2>{e(expected["headline"])}</h2>
<{line_tag}>{e(expected["updated_at_raw"])}</{line_tag}><br /><br />
{''.join(parts)}
{heading if related else ''}<ul>{related}</ul>
<hr />Copyright © People's Daily Online. Tous droits réservés.
</td></tr></table></body></html>"""
    return page, expected


def responsive(html, expected, *, credit_style="paren", cards_heading="Articles liés"):
    """The responsive template: HTML5, JSON-LD, <time>, <picture>, <figcaption>, cards, boxes, share buttons."""
    e = _html.escape
    published = _published(html)
    new_expected = copy.deepcopy(expected)
    for credit in new_expected["image_credits"]:
        credit["raw"] = _credit_text(credit, credit_style)
    parts, n = [], 0
    for kind, item in _spread(expected["body"].split("\n\n"), new_expected["image_credits"]):
        if kind == "p":
            parts.append(f"<p>{e(item)}</p>")
            n += 1
            if n == 2:
                parts.append(f'<p>Lire aussi : <a href="{OTHER_ARTICLE}">Un autre article du site</a></p>')
                parts.append('<div class="c-tools"><button>Partager</button> <a href="https://www.facebook.com/sharer.php">Facebook</a> '
                             '<a href="https://x.com/share">X</a></div>')
        else:
            caption = f"{e(item['caption'])} " if item["caption"] else ""
            parts.append(f'<figure class="c-media"><picture><source type="image/webp" data-srcset="/a.webp" />'
                         f'<img class="lazy" src="data:image/gif;base64,R0lGOD" data-src="/NMediaFile/a.jpg" alt="" /></picture>'
                         f'<figcaption>{caption}{e(item["raw"])}</figcaption></figure>')
    cards = "".join(
        f'<li class="c-card"><a href="{e(link["url"])}"><img src="data:," data-src="/t.jpg" alt="" />'
        f'<span class="c-card__t">{e(link["title"])}</span><span class="c-card__d">26/11/2021</span></a></li>'
        for link in expected["related_links"]
    )
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": expected["headline"], "datePublished": published,
          "publisher": {"@type": "Organization", "name": "Le Quotidien du Peuple en ligne"}}
    page = f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8" />
<title>{e(expected["headline"])} | Le Quotidien du Peuple en ligne</title>
<meta property="og:title" content="{e(expected["headline"])}" />
<script type="application/ld+json">{_json.dumps(ld, ensure_ascii=False)}</script></head>
<body><header class="c-header"><a href="http://french.peopledaily.com.cn/">Accueil</a>
<nav><a href="http://french.peopledaily.com.cn/Chine/index.html">Chine</a> \
<a href="http://french.peopledaily.com.cn/Culture/index.html">Culture</a></nav></header>
<main class="l-main"><article class="c-article">
<h1 class="c-article__h">{e(expected["headline"])}</h1>
<div class="c-article__info"><time datetime="{published}">{(published or '')[:10]}</time> <span>{e(expected["updated_at_raw"])}</span></div>
<div class="c-article__txt">{''.join(parts)}</div>
{f'<section class="c-more"><h2>{cards_heading}</h2><ul>{cards}</ul></section>' if cards else ''}
</article>
<aside class="l-col"><div class="c-box"><h3>Newsletter</h3><p>Recevez chaque matin l'essentiel de l'actualité chinoise.</p></div>
<div class="c-box"><h3>Les plus lus</h3><ol><li><a href="http://french.peopledaily.com.cn/Chine/n3/2016/0613/c31354-9071405.html">\
La Chine lance un nouveau satellite de navigation Beidou</a></li></ol></div></aside>
</main><footer>Copyright © People's Daily Online</footer></body></html>"""
    return page, new_expected


def inline_read_also_bold(html: str) -> str:
    """"<p><strong>A lire aussi</strong> <a>…</a></p>" inside the text: a heading's words, but inline, not the related list."""
    def body(text):
        at = [m.end() for m in re.finditer(r"</p>", text)]
        if not at:
            return text
        return text[: at[0]] + f'\n<p><strong>A lire aussi</strong> <a href="{OTHER_ARTICLE}">Un autre article du site</a></p>' + text[at[0]:]

    # Without the related box's class names, the inline line is the first heading on the page.
    return renamed_classes(_in_content(html, body)).replace("box_xg", "box")


def ad_between_paragraphs(html: str) -> str:
    """An ad slot labelled "Publicité" between two paragraphs."""
    def body(text):
        at = [m.end() for m in re.finditer(r"</p>", text)]
        if not at:
            return text
        return text[: at[0]] + '<div><span>Publicité</span><script>ad()</script></div>' + text[at[0]:]

    return _in_content(html, body)


def responsive_no_related(html, expected):
    """The responsive page without related cards, a "Les plus lus" list right after the text, without classes."""
    page, new_expected = responsive(html, {**expected, "related_links": []})
    most_read = ('<div><h3>Les plus lus</h3><ul><li><a href="http://french.peopledaily.com.cn/Chine/n3/2016/0613/c31354-9071405.html">'
                 'La Chine lance un nouveau satellite de navigation Beidou</a></li></ul></div>')
    return page.replace("</article>", most_read + "</article>", 1), new_expected


def print_view_no_related(html, expected):
    return print_view(html, {**expected, "related_links": []})


REDESIGNS = {
    "br-paragraphs": _same(lambda h: no_cms_comments(br_paragraphs(h))),
    "div-paragraphs": _same(div_paragraphs),
    "heading-h2-print-title": _same(heading_h2),
    "heading-div-logo-h1": _same(heading_div_and_logo_h1),
    "update-mis-a-jour": _reword("Mis à jour à {h}h{M} le {D}/{MO}"),
    "update-colon-date-first": _reword("Dernière mise à jour : {D}/{MO} {H}:{M}"),
    "update-maj": _reword("MAJ {H}h{M} {D}/{MO}"),
    "update-unpadded": _reword("Dernière mise à jour à {h}h{M} le {d}/{mo}"),
    "update-with-year": _reword("Mis à jour le {D}/{MO}/{Y} à {H}h{M}"),
    "update-split-bold": _reword("Dernière mise à jour à <b>{H}h{M}</b> le <b>{D}/{MO}</b>", tag="span"),
    "update-split-glued": _reword("<small>Dernière mise à jour</small><small>à {H}h{M} le {D}/{MO}</small>", tag="div", raw="spaced"),
    "update-in-font": _reword("<font size=\"2\">Mis à jour à {H}h{M}, le {D}/{MO}</font>", tag="p"),
    "update-below-text": _update_line_elsewhere,
    "related-bold-plain-list": _related_under("<b>A lire aussi</b>", plain=True),
    "related-bold-list": _related_under("<b>A lire aussi</b>"),
    "related-p": _related_under("<p>À lire aussi :</p>"),
    "related-h3-articles-lies": _related_under("<h3>Articles liés</h3>"),
    "related-div-meme-sujet": _related_under("<div>Sur le même sujet</div>"),
    "related-cards": _cards(),
    "related-cards-summary": _cards(with_summary=True),
    "related-title-mentions-wechat": _wechat_in_a_title,
    "inline-read-also": _same(inline_read_also),
    "inline-read-also-bold": _same(inline_read_also_bold),
    "ad-label-between-paragraphs": _same(ad_between_paragraphs),
    "responsive-no-related-most-read": responsive_no_related,
    "print-view-no-related": print_view_no_related,
    "share-and-newsletter-in-text": _same(share_between_paragraphs),
    "no-related-nav-share": _no_related_but_chrome,
    "print-view": print_view,
    "print-view-font": lambda h, e: print_view(h, e, line_tag="font", heading="<p><b>Sur le même sujet</b></p>"),
    "responsive": responsive,
    "responsive-photo-credit": lambda h, e: responsive(h, e, credit_style="photo", cards_heading="À lire aussi"),
    "responsive-copyright-credit": lambda h, e: responsive(h, e, credit_style="copyright", cards_heading="Sur le même sujet"),
}
