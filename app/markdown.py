"""The one place Markdown becomes HTML: rendered, then sanitised.

Raw HTML in a source is escaped or stripped, links get rel="noopener
noreferrer nofollow", and only http(s) and mailto links survive, so nothing
written in Markdown can ever run script on a page.
"""

from __future__ import annotations

from functools import lru_cache

import markdown as _markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol",
    "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "img", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"},
                      "h2": {"id"}, "h3": {"id"}, "h4": {"id"}}
EXTENSIONS = ["extra", "sane_lists", "smarty"]


def render_markdown(source: str, substitutions: dict[str, str] | None = None) -> Markup:
    """Markdown source as safe HTML; `{{ key }}` tokens are replaced by plain text first.

    The result depends on nothing but the text, so the latest renderings are kept per process:
    a policy or lesson page does not parse the same Markdown again on every request.
    """
    return _rendered(substitute(source or "", substitutions or {}))


@lru_cache(maxsize=512)
def _rendered(text: str) -> Markup:
    html = _markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)


def substitute(text: str, substitutions: dict[str, str]) -> str:
    """Replace `{{ key }}` tokens (as written in policies and content) with their values."""
    for key, value in substitutions.items():
        text = text.replace("{{ " + key + " }}", value).replace("{{" + key + "}}", value)
    return text


def render_plain(source: str, substitutions: dict[str, str] | None = None) -> str:
    """The text of a Markdown source without markup, for emails and previews."""
    html = render_markdown(source, substitutions)
    return nh3.clean(str(html), tags=set()).strip()
