"""Demo content: the starter library published, shares and clicks over recent weeks, a suggestion waiting."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from sqlalchemy import exists, insert, select

from app.db import utcnow
from app.extensions import db
from app.registry import add_demo_loader

SHARERS = ("employee@example.com", "lars@example.com", "ingrid@example.com", "daan@example.com",
           "freja@example.com", "maja@example.com", "pieter@example.com", "oskar@example.com", "social2@example.com")
REFERRERS = {"linkedin": ["www.linkedin.com", "lnkd.in", None], "x": ["t.co", None],
             "facebook": ["l.facebook.com", "m.facebook.com", None], "email": [None, "mail.google.com"],
             "copy": [None, "teams.microsoft.com"]}
SUGGESTION_LINK = "https://example.com/blog/how-our-support-team-celebrates-1000-five-star-ratings"


def load_library() -> None:
    """Sync the starter files, publish them, and add shares, clicks and a suggestion once."""
    from app.library import services
    from app.library.models import IN_REVIEW, PUBLISHED, Click, ContentItem, ContentSuggestion, ShareEvent
    from app.people.services import find_by_email

    services.sync_content(echo=lambda _line: None)
    approver = find_by_email("social@example.com")
    for item in db.session.scalars(select(ContentItem).where(ContentItem.status == IN_REVIEW,
                                                              ContentItem.source == "file")):
        item.status = PUBLISHED
        item.published_by_id = approver.id if approver else None
        item.published_at = min(item.publish_at or utcnow(), utcnow())
    db.session.commit()

    people = [p for p in (find_by_email(email) for email in SHARERS) if p is not None]
    if people and not db.session.scalar(select(exists().where(ShareEvent.user_id.in_([p.id for p in people])))):
        _shares_and_clicks(services, people, ShareEvent, Click, ContentItem, PUBLISHED)
        for person in people[:6]:
            services.set_preference(person, digest=person.email == "employee@example.com", leaderboard=True)

    suggester = find_by_email("lars@example.com")
    if suggester and not db.session.scalar(select(exists().where(ContentSuggestion.link == SUGGESTION_LINK))):
        db.session.add(ContentSuggestion(
            link=SUGGESTION_LINK, suggested_by_id=suggester.id,
            why="Our support team just passed 1,000 five-star ratings this year. The post is warm and human, and "
                "customers in Sweden keep mentioning it to me.",
            caption="1,000 five-star ratings this year. Proud of the people who answer our customers every day."))
        db.session.commit()


def _shares_and_clicks(services, people, ShareEvent, Click, ContentItem, published) -> None:  # noqa: N803
    rng = random.Random(2026)
    now = utcnow()
    items = list(db.session.scalars(select(ContentItem).where(ContentItem.status == published)))
    clicks = []
    for person in people:
        visible = [i for i in items if services.in_audience(i, person)]
        for item in rng.sample(visible, k=min(len(visible), rng.randint(3, 6))):
            for network in rng.sample(["linkedin", "linkedin", "x", "facebook", "email"], k=rng.randint(1, 2)):
                link = services.link_for(person.id, item.id, network)
                shared_at = now - timedelta(days=rng.randint(1, 56), hours=rng.randint(0, 23))
                db.session.add(ShareEvent(share_link_id=link.id, item_id=item.id, user_id=person.id,
                                          network=network, personalised=rng.random() < 0.6, created_at=shared_at))
                for _ in range(rng.choice([0, 2, 5, 9, 14, 25])):
                    at = shared_at + timedelta(hours=rng.expovariate(1 / 30))
                    if at >= now:
                        continue
                    bot = rng.random() < 0.08
                    visitor = hashlib.sha256(f"demo-{rng.randint(1, 400)}-{at.date()}".encode()).hexdigest()
                    clicks.append({"share_link_id": link.id, "item_id": item.id, "network": network,
                                   "occurred_at": at, "referrer_host": rng.choice(REFERRERS[network]),
                                   "is_bot": bot, "visitor_key": visitor})
    db.session.flush()
    if clicks:
        db.session.execute(insert(Click), clicks)
    db.session.commit()


add_demo_loader(40, "library", load_library)
