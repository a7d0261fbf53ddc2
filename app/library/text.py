"""Text rules for captions and links: X's weighted length, limits, blocked words, safe links, slugs."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# X counts most code points as 2 and these ranges (Latin, general punctuation...) as 1,
# every URL as 23 and every emoji sequence as 2 (twitter-text v3 configuration).
X_LIMIT = 280
X_URL_LENGTH = 23
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
LIMITS = {"linkedin": 3000, "x": X_LIMIT, "facebook": 63206, "email": 3000, "copy": 3000}

_EMOJI_PART = "[\u2600-\u27bf\U0001f000-\U0001faff](?:\ufe0f)?(?:[\U0001f3fb-\U0001f3ff])?"
_TOKEN = re.compile(
    r"(?P<url>https?://[^\s]+|\bwww\.[^\s]+)"
    r"|(?P<emoji>[\U0001f1e6-\U0001f1ff]{2}|" + _EMOJI_PART + "(?:\u200d" + _EMOJI_PART + ")*)",
    re.IGNORECASE,
)


def _weight(char: str) -> int:
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in X_LIGHT_RANGES) else 2


def x_length(text: str) -> int:
    """The length X gives `text`: URLs count 23, emoji 2, CJK 2, Latin 1 (NFC normalised)."""
    text = unicodedata.normalize("NFC", text or "")
    total = 0
    position = 0
    for match in _TOKEN.finditer(text):
        total += sum(_weight(c) for c in text[position:match.start()])
        total += X_URL_LENGTH if match.group("url") else 2
        position = match.end()
    total += sum(_weight(c) for c in text[position:])
    return total


def with_disclosure(caption: str, disclosure: str) -> str:
    """The caption with the organisation's disclosure appended (once; it cannot be left out)."""
    caption = (caption or "").strip()
    disclosure = (disclosure or "").strip()
    if not disclosure or disclosure.lower() in caption.lower():
        return caption
    return f"{caption} {disclosure}".strip()


def share_length(network: str, caption: str, disclosure: str) -> int:
    """How long the post will be on `network`, counting the appended disclosure and link."""
    text = with_disclosure(caption, disclosure)
    if network == "x":
        return x_length(text) + 1 + X_URL_LENGTH
    return len(text) + 1 + X_URL_LENGTH


def words_in(text: str, blocked: list[str]) -> list[str]:
    """The blocked words or phrases that `text` contains as whole words, case-insensitively."""
    found = []
    lowered = (text or "").casefold()
    for word in blocked:
        pattern = r"(?<!\w)" + re.escape(word.casefold()) + r"(?!\w)"
        if re.search(pattern, lowered):
            found.append(word)
    return found


def parse_word_list(raw: str) -> list[str]:
    return [w.strip() for w in re.split(r"[\n,;]", raw or "") if w.strip()]


_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def is_safe_link(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL with a host: no javascript:, data:, //host or spaces."""
    if not url or len(url) > 1000 or _CONTROL.search(url) or "\\" in url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return False
    return url.lower().startswith(("http://", "https://"))


def with_utm(url: str, network: str, campaign: str) -> str:
    """`url` with utm_source/medium/campaign merged into its query (ours win), fragment kept."""
    parts = urlsplit(url)
    ours = {"utm_source": network, "utm_medium": "employee_advocacy", "utm_campaign": campaign}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ours]
    query.extend(ours.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def slugify(text: str, max_length: int = 80) -> str:
    """A lower-case ASCII slug such as "our-autumn-release"."""
    normal = unicodedata.normalize("NFKD", text or "")
    ascii_text = normal.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:max_length].strip("-")
    return slug or "item"
