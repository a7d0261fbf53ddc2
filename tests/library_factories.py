"""factory_boy factories for the content library."""

from __future__ import annotations

from datetime import timedelta

import factory

from app.db import utcnow
from app.library.models import PUBLISHED, ContentItem, ContentSuggestion
from tests.factories import BaseFactory


class ContentItemFactory(BaseFactory):
    class Meta:
        model = ContentItem

    slug = factory.Sequence(lambda n: f"item-{n}")
    title = factory.Sequence(lambda n: f"Item {n}")
    body = "Why share it: because it is **good** news from {{ organisation }}."
    link = "https://example.com/news?ref=feed"
    topics = ",product,"
    language = "en"
    audience_languages = ""
    caption_linkedin = "Proud of what {{ organisation }} shipped this week."
    caption_x = "Proud of what {{ organisation }} shipped this week."
    caption_facebook = "Big week for us!"
    status = PUBLISHED
    published_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=1))
    source = "ui"


class SuggestionFactory(BaseFactory):
    class Meta:
        model = ContentSuggestion

    link = "https://example.com/story"
    why = "Customers love this story."
    caption = "Look at this!"
