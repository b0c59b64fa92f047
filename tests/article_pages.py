"""Small realistic article pages for the change-intelligence tests (navigation, byline, body, footer)."""

from __future__ import annotations

from html import escape

BODY = (
    "The city council voted 7-2 on Tuesday to approve the new riverside park, ending a debate that "
    "had divided residents for more than three years.",
    'Mayor Elena Ruiz said the park would open next spring. "This is a place for every family in '
    'the city," she told reporters after the vote.',
    "Opponents had argued that the 12 million dollar budget would be better spent on road repairs, "
    "and two council members said they would keep pressing for an audit.",
    "Construction is expected to begin in March, once the last permits from the regional water "
    "authority have been issued.",
    "The park will include a playground, a boat launch and nearly two miles of walking trails along "
    "the river, according to plans published by the parks department.",
)
TITLE = "Council approves riverside park after three-year fight"

# A page in Turkish: its letters differ between UTF-8, windows-1254 and latin-1.
TURKISH = (
    '<html lang="tr"><head><title>Erdoğan ekonomi açıklaması</title></head><body><article>'
    "<h1>Erdoğan: Türkiye ekonomisi güçlü</h1>"
    "<p>Cumhurbaşkanı Recep Tayyip Erdoğan, bugün yaptığı açıklamada Türkiye ekonomisinin güçlü "
    "olduğunu ve döviz kurundaki dalgalanmanın geçici olduğunu söyledi.</p>"
    "<p>Şirketler ve işçiler için yeni düzenlemeler yakında açıklanacak. Ağustos ayında ihracat "
    "artışı sürdü.</p></article></body></html>"
)


def article_page(
    paragraphs: tuple[str, ...] = BODY,
    *,
    title: str = TITLE,
    byline: str = "By Sam Porter",
    stamp: str = "",
    head: str = "",
    above: str = "",
    below: str = "",
    page_top: str = "",
    lang: str = "en",
) -> str:
    """An article page: `stamp` a visible stamp line, `above`/`below` HTML around the body text,
    `page_top` HTML before the site header, `head` extra head elements."""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)} | The Riverside Times</title>
<meta property="og:title" content="{escape(title)}">
<meta property="og:site_name" content="The Riverside Times">
<meta property="article:published_time" content="2019-11-19T08:00:00+00:00">
{head}</head>
<body>{page_top}
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav></header>
<main><article>
<h1>{escape(title)}</h1>
<p class="byline">{escape(byline)}</p>
{f'<p class="stamp">{escape(stamp)}</p>' if stamp else ""}
<div class="article-body">
{above}
{body}
{below}
</div>
</article></main>
<footer><ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul>
<p>© 2019 The Riverside Times</p></footer>
</body></html>"""


def story_page(number: int, edition: str = "") -> str:
    """A small numbered story page; `edition` adds a paragraph (a later edition of the story)."""
    return (
        f"<html><head><title>Story {number}</title></head><body><article><h1>Story {number}</h1>"
        + f"<p>The council met on day {number} and voted to keep the library open another year.</p>" * 3
        + (f"<p>{edition}</p>" if edition else "")
        + "</article></body></html>"
    )
