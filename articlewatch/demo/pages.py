"""Render demo articles as realistic, deterministic HTML5 news pages, one house style per site."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from articlewatch.demo.articles import DemoArticle

__all__ = [
    "COOKIE_NOTICES",
    "READER_COMMENTS",
    "UKPAPER_COMMENT_RULES",
    "cnbc_stamp",
    "render_page",
    "rt_stamp",
    "ukpaper_stamp",
    "yenisafak_stamp",
]

# Spelled out rather than taken from strftime, whose %A/%b follow the process locale.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_US_ZONES = {-4: "EDT", -5: "EST", 0: "GMT"}

# Reader comments per site: (author, text). Tests check an extractor leaves them out.
READER_COMMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "rt": (
        ("Ivan_K", "Sensible move, but nobody in Washington will ever admit the offer was fair."),
        ("northern_light", "Twelve names on an indictment and not one shred of evidence shown."),
    ),
    "yenisafak": (
        ("Mehmet A.", "Another week, another U-turn from the White House."),
        ("Leyla", "The real question is what was agreed in the private meeting."),
    ),
    "cnbc": (
        ("MarketWatcher88", "Three days to reject something that should have been a no-brainer."),
        ("jdoe_ohio", "Good. Now can we get back to talking about tariffs and my 401k?"),
    ),
    "ukpaper": (
        ("CourierReader", "Can we have some local news on the front page for once?"),
        ("Geoff from Elland", "Glad to see somebody in Washington still has a spine."),
    ),
}

COOKIE_NOTICES: dict[str, str] = {
    "rt": "We use cookies to ensure you get the best experience on our website. "
    "By continuing to browse you agree to their use.",
    "yenisafak": "We use cookies to personalise content and ads and to analyse our traffic. "
    "See our cookie policy for details.",
    "cnbc": "We use cookies and similar technologies to improve your experience, "
    "measure audiences and show relevant advertising.",
    "ukpaper": "We use cookies so we can give you the best online experience. "
    "Our partners also use cookies to show you personalised ads.",
}

# The seed's comments-rules block, shown above the reader comments on the UK paper.
UKPAPER_COMMENT_RULES = (
    "We want our comments to be a lively and valuable part of our community - a place where "
    "readers can debate and engage with the most important local issues. The ability to comment "
    "on our stories is a privilege, not a right, however, and that privilege may be withdrawn if "
    "it is abused or misused.",
    "Please report any comments that break our rules.",
)


@dataclass(frozen=True)
class _Chrome:
    """A site's page chrome: navigation, footer and the wording of its fixtures."""

    nav: tuple[str, ...]
    footer: tuple[str, ...]
    copyright: str
    section: str  # the section this story sits in (breadcrumb / eyebrow)
    related_heading: str
    most_read_heading: str


_CHROME: dict[str, _Chrome] = {
    "rt": _Chrome(
        nav=("News", "Russia", "World News", "Business", "Sport", "In Motion", "Shows",
             "Podcasts", "Op-ed", "Projects", "In vision", "In Focus"),
        footer=("About us", "Contact us", "Privacy policy", "Cookie policy", "Terms of use",
                "RSS", "Mobile apps"),
        copyright="© Autonomous Nonprofit Organization “TV-Novosti”, 2005–2018.",
        section="USA News",
        related_heading="Read more",
        most_read_heading="Trends",
    ),
    "yenisafak": _Chrome(
        nav=("Turkey", "Middle East", "World", "Economy", "Sports", "Culture", "Opinion",
             "Features", "Video", "Photo Gallery"),
        footer=("About us", "Contact", "Privacy policy", "Cookie policy", "Terms of use",
                "Advertise", "RSS"),
        copyright="© Yeni Şafak. All rights reserved.",
        section="World",
        related_heading="Related news",
        most_read_heading="Most read",
    ),
    "cnbc": _Chrome(
        nav=("Markets", "Business", "Investing", "Tech", "Politics", "CNBC TV", "Watchlist",
             "Investing Club", "PRO", "Make It", "USA", "Video"),
        footer=("Subscribe to CNBC PRO", "Licensing & Reprints", "Advertise With Us",
                "Join the CNBC Panel", "Closed Captioning", "Digital Products", "News Releases",
                "Internships", "Corrections", "About CNBC", "Site Map", "Privacy Policy"),
        copyright="© 2018 CNBC LLC. All Rights Reserved.",
        section="Politics",
        related_heading="Related",
        most_read_heading="Trending Now",
    ),
    "ukpaper": _Chrome(
        nav=("News", "Sport", "What's On", "Business", "Property", "Jobs", "Motors",
             "Announcements", "Puzzles", "Weather", "Contact Us"),
        footer=("Contact us", "Advertise", "Terms & Conditions", "Privacy Notice",
                "Cookie Policy", "Complaints", "Site Map", "Archive"),
        copyright="© 2018 The Evening Courier. All rights reserved.",
        section="National news",
        related_heading="More stories",
        most_read_heading="Most read",
    ),
}  # fmt: skip


# --- date stamps --------------------------------------------------------------------------


def _parse(iso: str) -> datetime:
    """An ISO 8601 timestamp (with offset) as an aware datetime."""
    return datetime.fromisoformat(iso)


def yenisafak_stamp(moment: datetime) -> str:
    """Yeni Şafak's date line, e.g. '09:47 - 20/07/2018 Friday' (day unpadded, month padded)."""
    weekday = _WEEKDAYS[moment.weekday()]
    return f"{moment:%H:%M} - {moment.day}/{moment:%m/%Y} {weekday}"


def cnbc_stamp(moment: datetime) -> str:
    """CNBC's date, e.g. 'Thu, Jul 19 2018 12:32 PM EDT' (12-hour clock, site time zone)."""
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    return (
        f"{_WEEKDAYS[moment.weekday()][:3]}, {_MONTHS[moment.month - 1][:3]} {moment.day} "
        f"{moment.year} {hour}:{moment:%M} {meridiem} {_zone_name(moment)}"
    )


def _zone_name(moment: datetime) -> str:
    """A US-style zone abbreviation for the timestamp's offset, else 'UTC+hh:mm'."""
    offset = moment.utcoffset() or timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest == 0 and hours in _US_ZONES:
        return _US_ZONES[hours]
    offset_text = f"{moment:%z}"  # e.g. "+0300"
    return f"UTC{offset_text[:3]}:{offset_text[3:]}"


def rt_stamp(moment: datetime) -> str:
    """RT's date, e.g. '19 Jul, 2018 21:51'."""
    return f"{moment.day} {_MONTHS[moment.month - 1][:3]}, {moment.year} {moment:%H:%M}"


def ukpaper_stamp(moment: datetime) -> str:
    """The UK paper's date, e.g. '19th July 2018'."""
    day = moment.day
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix} {_MONTHS[moment.month - 1]} {moment.year}"


# --- small markup helpers -----------------------------------------------------------------


def _e(text: str) -> str:
    """HTML-escape text for a quoted attribute value."""
    return escape(text, quote=True)


def _t(text: str) -> str:
    """HTML-escape element content; quotes stay literal, so the source reads like a real page."""
    return escape(text, quote=False)


def _kebab(text: str) -> str:
    """An ASCII URL slug for a label: 'Erdoğan's World News' -> 'erdogan-s-world-news'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    kept = "".join(c if c.isalnum() else " " for c in ascii_text.lower())
    return "-".join(kept.split())


def _site_link(article: DemoArticle, *parts: str) -> str:
    """A site-relative URL under the article's site prefix, e.g. '/rt/news/'."""
    return "/" + "/".join((article.slug, *(_kebab(p) for p in parts))) + "/"


def _links(items: Iterable[tuple[str, str]], css: str = "") -> str:
    """A <ul> of (href, label) links."""
    cls = f' class="{css}"' if css else ""
    rows = "".join(f'<li><a href="{_e(href)}">{_t(label)}</a></li>' for href, label in items)
    return f"<ul{cls}>{rows}</ul>"


def _json_ld(data: dict[str, object]) -> str:
    """A JSON-LD script element; '</' is escaped so text cannot close the script early."""
    payload = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{payload}\n</script>'


def _paragraphs(article: DemoArticle) -> str:
    """The article body as one <p> per paragraph."""
    return "\n".join(f"<p>{_t(p)}</p>" for p in article.paragraphs)


def _image_url(article: DemoArticle, base_url: str) -> str:
    """Where the lead image would live (never fetched by anything here)."""
    return f"{base_url}/{article.slug}/static/images/lead-{_kebab(article.title)[:40]}.jpg"


def _figure(article: DemoArticle, base_url: str, css: str) -> str:
    """The lead image with its caption."""
    alt = article.caption or article.title
    return (
        f'<figure class="{css}"><img src="{_e(_image_url(article, base_url))}" alt="{_e(alt)}" '
        f'width="980" height="551" loading="eager">'
        f"<figcaption>{_t(article.caption)}</figcaption></figure>"
    )


def _tag_links(article: DemoArticle, prefix: str = "") -> str:
    """Tag links (rel=tag), each label optionally prefixed, e.g. '#Russia'."""
    return "".join(
        f'<a rel="tag" href="{_site_link(article, "tag", tag)}">{_t(prefix + tag)}</a> '
        for tag in article.tags
    ).strip()


# --- shared page chrome -------------------------------------------------------------------


def _head(article: DemoArticle, base_url: str, extra: str) -> str:
    """<head>: title, canonical, description, Open Graph and any site-specific metadata."""
    url = base_url + article.path
    og = {
        "og:type": "article",
        "og:site_name": article.site,
        "og:title": article.title,
        "og:description": article.description,
        "og:url": url,
        "og:image": _image_url(article, base_url),
    }
    metas = "\n".join(f'<meta property="{k}" content="{_e(v)}">' for k, v in og.items())
    return f"""<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_t(article.title)} | {_t(article.site)}</title>
<meta name="description" content="{_e(article.description)}">
<link rel="canonical" href="{_e(url)}">
{metas}
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="{_e(article.title)}">
{extra}
<link rel="stylesheet" href="/{article.slug}/static/css/main.css">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"section": "news"}});</script>
</head>"""


def _cookie_banner(article: DemoArticle) -> str:
    """The consent banner every site shows before anything else."""
    return (
        '<div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookie consent">'
        f"<p>{_t(COOKIE_NOTICES[article.slug])}</p>"
        f'<a href="{_site_link(article, "cookie policy")}">Manage preferences</a>'
        '<button type="button" class="cookie-banner__accept">Accept</button></div>'
    )


def _site_header(article: DemoArticle) -> str:
    """Logo and the top navigation with the site's section links."""
    chrome = _CHROME[article.slug]
    sections = ((_site_link(article, label), label) for label in chrome.nav)
    return (
        '<header class="site-header">'
        f'<a class="site-header__logo" href="/{article.slug}/">{_t(article.site)}</a>'
        f'<nav class="main-nav" aria-label="Sections">{_links(sections, "main-nav__list")}</nav>'
        '<form class="site-search" role="search" action="/search">'
        '<input type="search" name="q" placeholder="Search"><button>Search</button></form>'
        "</header>"
    )


def _ad_slot(name: str) -> str:
    """An empty advertising slot, as served before the ad script fills it."""
    return (
        f'<div class="ad-slot ad-slot--{name}" id="ad-{name}" data-ad-unit="{name}">'
        '<span class="ad-slot__label">Advertisement</span></div>'
    )


def _share_bar(article: DemoArticle) -> str:
    """Share buttons with the share counter and a link to the comments."""
    count = article.furniture.share_count
    networks = ("Facebook", "Twitter", "WhatsApp", "Email")
    buttons = "".join(
        f'<a class="share-buttons__item share-buttons__item--{n.lower()}" '
        f'href="#share-{n.lower()}" rel="nofollow">{n}</a>'
        for n in networks
    )
    return (
        f'<div class="share-buttons" aria-label="Share this article">{buttons}'
        f'<span class="share-buttons__count">{count:,} shares</span>'
        f"{_comment_counter(article)}</div>"
    )


def _comment_counter(article: DemoArticle) -> str:
    """The '123 comments' link that jumps to the comments section."""
    count = article.furniture.comment_count
    noun = "comment" if count == 1 else "comments"
    return f'<a class="comments-count" href="#comments">{count:,} {noun}</a>'


def _comments(article: DemoArticle, intro: str = "") -> str:
    """The reader comments section (clearly marked, so extractors can drop it)."""
    count = article.furniture.comment_count
    items = "".join(
        f'<li class="comment"><div class="comment__author">{_t(name)}</div>'
        f'<div class="comment__body"><p>{_t(text)}</p></div></li>'
        for name, text in READER_COMMENTS[article.slug]
    )
    return (
        f'<section id="comments" class="comments" aria-label="Reader comments">{intro}'
        f'<h2 class="comments__heading">{count:,} comments</h2>'
        f'<ol class="comment-list">{items}</ol></section>'
    )


def _sidebar(article: DemoArticle) -> str:
    """Related links and the most-read list: the furniture that changes between editions."""
    chrome = _CHROME[article.slug]
    related = ((_site_link(article, "news", t), t) for t in article.furniture.related)
    most_read = ((_site_link(article, "news", t), t) for t in article.furniture.most_read)
    return (
        '<aside class="sidebar">'
        f'<section class="related-articles"><h2>{_t(chrome.related_heading)}</h2>'
        f"{_links(related, 'related-articles__list')}</section>"
        f"{_ad_slot('sidebar')}"
        f'<section class="most-read"><h2>{_t(chrome.most_read_heading)}</h2>'
        f"{_links(most_read, 'most-read__list')}</section>"
        "</aside>"
    )


def _footer(article: DemoArticle) -> str:
    """Footer links and the copyright line."""
    chrome = _CHROME[article.slug]
    links = ((_site_link(article, label), label) for label in chrome.footer)
    return (
        f'<footer class="site-footer"><nav aria-label="Footer">{_links(links)}</nav>'
        f'<p class="site-footer__copyright">{_t(chrome.copyright)}</p></footer>'
    )


def _relative_age(article: DemoArticle) -> str:
    """The '6 years ago' label sites print next to tags or dates."""
    return f'<span class="time-ago">{_t(article.furniture.relative_age)}</span>'


def _byline(article: DemoArticle, css: str, prefix: str = "") -> str:
    """The author line."""
    return f'<div class="{css}"><span class="author">{_t(prefix + article.author)}</span></div>'


# --- per-site article markup --------------------------------------------------------------


def _rt_head(article: DemoArticle, base_url: str) -> str:
    """RT: article:* meta; modified time is always the published time."""
    return (
        f'<meta property="article:published_time" content="{_e(article.published)}">\n'
        f'<meta property="article:modified_time" content="{_e(article.published)}">\n'
        f'<meta name="author" content="{_e(article.author)}">'
    )


def _rt_date_line(article: DemoArticle) -> str:
    """'Published time: 19 Jul, 2018 21:51' (RT shows no edited time: it never changes)."""
    stamp = rt_stamp(_parse(article.published))
    return (
        f'<time class="date date_article-header" datetime="{_e(article.published)}">'
        f"Published time: {stamp}</time>"
    )


def _rt_article(article: DemoArticle, base_url: str) -> str:
    """RT's article: heading, date, cover image, text and tags."""
    return f"""<article class="article">
<div class="article__header">
<div class="breadcrumbs"><a href="/rt/usa/">{_t(_CHROME["rt"].section)}</a></div>
<h1 class="article__heading">{_t(article.title)}</h1>
<div class="article__date-autor-shortcode">
<div class="article__date">{_rt_date_line(article)}</div>
{_byline(article, "article__author")}
{_share_bar(article)}
</div>
</div>
{_figure(article, base_url, "article__cover media")}
<div class="article__text text">
{_paragraphs(article)}
</div>
<div class="tags-trends">{_tag_links(article)} {_relative_age(article)}</div>
</article>"""


def _yenisafak_head(article: DemoArticle, base_url: str) -> str:
    """Yeni Şafak: deliberately no date metadata at all; only the visible stamps carry dates."""
    return f'<meta name="author" content="{_e(article.author)}">'


def _yenisafak_dates(article: DemoArticle) -> str:
    """The visible date line(s): published, then 'Update: ...' once the page was updated."""
    lines = f'<div class="date">{yenisafak_stamp(_parse(article.published))}</div>'
    if article.updated:
        stamp = yenisafak_stamp(_parse(article.updated))
        lines += f'<div class="date-update">Update: {stamp}</div>'
    return lines


def _yenisafak_article(article: DemoArticle, base_url: str) -> str:
    """Yeni Şafak's article: title, subtitle, byline, date stamps, agency, image, text, hashtags."""
    section = _t(_CHROME["yenisafak"].section)
    return f"""<article class="news-detail">
<div class="breadcrumb"><a href="/yenisafak/en/">Home</a> |
<a href="/yenisafak/en/world/">{section}</a></div>
<h1 class="title">{_t(article.title)}</h1>
<h2 class="spot">{_t(article.description)}</h2>
<div class="info">
{_byline(article, "editor")}
{_yenisafak_dates(article)}
<div class="source">AA</div>
</div>
{_figure(article, base_url, "news-image")}
{_share_bar(article)}
<div class="news-content">
{_paragraphs(article)}
</div>
<div class="tags">{_tag_links(article, "#")} {_relative_age(article)}</div>
</article>"""


def _cnbc_head(article: DemoArticle, base_url: str) -> str:
    """CNBC: a NewsArticle JSON-LD block carries the dates (no article:* meta)."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": base_url + article.path,
        "headline": article.title,
        "description": article.description,
        "datePublished": article.published,
        "dateModified": article.updated or article.published,
        "author": [{"@type": "Person", "name": article.author}],
        "publisher": {"@type": "Organization", "name": article.site},
        "image": _image_url(article, base_url),
        "keywords": list(article.tags),
    }
    return _json_ld(data)


def _cnbc_times(article: DemoArticle) -> str:
    """'Published ...' and, once updated, 'Updated ...' lines."""
    published = _parse(article.published)
    lines = (
        f'<time data-testid="published-timestamp" datetime="{_e(article.published)}">'
        f"Published {cnbc_stamp(published)}</time>"
    )
    if article.updated:
        lines += (
            '<span class="ArticleHeader-datetimeDivider"></span>'
            f'<time data-testid="lastpublished-timestamp" datetime="{_e(article.updated)}">'
            f"Updated {cnbc_stamp(_parse(article.updated))}</time>"
        )
    return f'<div class="ArticleHeader-time">{lines}</div>'


def _cnbc_article(article: DemoArticle, base_url: str) -> str:
    """CNBC's article: eyebrow, headline, byline, time stamps, image, body, 'show more' button."""
    return f"""<article class="ArticleBody-wrapper">
<header class="ArticleHeader-wrapper">
<a class="ArticleHeader-eyebrow" href="/cnbc/politics/">{_t(_CHROME["cnbc"].section)}</a>
<h1 class="ArticleHeader-headline">{_t(article.title)}</h1>
{_byline(article, "Author-authorNameAndSocial", "By ")}
{_cnbc_times(article)}
{_share_bar(article)}
</header>
{_figure(article, base_url, "InlineImage-imageContainer")}
<div class="ArticleBody-articleBody" data-module="ArticleBody">
<div class="group">
{_paragraphs(article)}
</div>
</div>
<button type="button" class="ArticleBody-showMore">Click to show more</button>
<div class="RelatedTags">{_tag_links(article)} {_relative_age(article)}</div>
</article>"""


def _ukpaper_head(article: DemoArticle, base_url: str) -> str:
    """The UK paper: article:* meta plus a JSON-LD block with both dates."""
    modified = article.updated or article.published
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "url": base_url + article.path,
        "headline": article.title,
        "datePublished": article.published,
        "dateModified": modified,
        "author": {"@type": "Organization", "name": article.author},
        "publisher": {"@type": "Organization", "name": article.site},
    }
    return (
        f'<meta property="article:published_time" content="{_e(article.published)}">\n'
        f'<meta property="article:modified_time" content="{_e(modified)}">\n'
        f'<meta property="article:section" content="{_e(_CHROME["ukpaper"].section)}">\n' + _json_ld(data)
    )


def _ukpaper_dates(article: DemoArticle) -> str:
    """'Published: 19th July 2018' and, when set, 'Last updated: ...'."""
    stamp = ukpaper_stamp(_parse(article.published))
    lines = f'<span class="article-date">Published: {stamp}</span>'
    if article.updated:
        updated = _parse(article.updated)
        lines += (
            f'<span class="article-date-updated">Last updated: {ukpaper_stamp(updated)} '
            f"{updated:%H:%M}</span>"
        )
    return f'<div class="article-dates">{lines}</div>'


def _ukpaper_article(article: DemoArticle, base_url: str) -> str:
    """The UK paper's article: headline, agency byline, dates, image, body and tags."""
    section = _t(_CHROME["ukpaper"].section)
    return f"""<article class="mar-article">
<div class="mar-article__section"><a href="/ukpaper/news/national/">{section}</a></div>
<h1 class="mar-article__headline">{_t(article.title)}</h1>
{_byline(article, "mar-article__byline", "By ")}
{_ukpaper_dates(article)}
{_share_bar(article)}
{_figure(article, base_url, "mar-article__image")}
<div class="article-body">
{_paragraphs(article)}
</div>
<div class="mar-article__tags">{_tag_links(article)} {_relative_age(article)}</div>
</article>"""


def _ukpaper_comment_rules() -> str:
    """The 'Comments: Our rules' block the paper prints above its comments."""
    paragraphs = "".join(f"<p>{_t(p)}</p>" for p in UKPAPER_COMMENT_RULES)
    return (
        '<div class="comments-rules"><h3>Comments: Our rules</h3>'
        f'{paragraphs}<a href="/ukpaper/rules/">Read the rules here</a></div>'
    )


# --- assembly -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How one site renders: head metadata, the article element, and the comments intro."""

    head: Callable[[DemoArticle, str], str]
    article: Callable[[DemoArticle, str], str]
    comments_intro: Callable[[], str] = str  # str() == "": most sites print no intro


_STYLES: dict[str, _Style] = {
    "rt": _Style(head=_rt_head, article=_rt_article),
    "yenisafak": _Style(head=_yenisafak_head, article=_yenisafak_article),
    "cnbc": _Style(head=_cnbc_head, article=_cnbc_article),
    "ukpaper": _Style(head=_ukpaper_head, article=_ukpaper_article, comments_intro=_ukpaper_comment_rules),
}


def render_page(article: DemoArticle, base_url: str = "") -> str:
    """A complete HTML5 page for the article in its site's style; canonical is base_url + path."""
    style = _STYLES.get(article.slug)
    if style is None:
        raise ValueError(f"no page style for slug {article.slug!r}")
    base_url = base_url.rstrip("/")
    return f"""<!DOCTYPE html>
<html lang="{_e(article.language)}">
{_head(article, base_url, style.head(article, base_url))}
<body class="page page--article page--{article.slug}">
{_cookie_banner(article)}
{_site_header(article)}
{_ad_slot("leaderboard")}
<div class="layout">
<main class="layout__main" id="main-content">
{style.article(article, base_url)}
{_ad_slot("below-article")}
{_comments(article, style.comments_intro())}
</main>
{_sidebar(article)}
</div>
{_footer(article)}
<script src="/{article.slug}/static/js/app.js" defer></script>
</body>
</html>
"""
