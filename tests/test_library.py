"""Content library: authoring, four eyes, the feed, sharing, suggestions, the pause, analytics, digest, sync."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.db import utcnow
from app.library import services
from app.library.models import (
    ARCHIVED,
    DRAFT,
    IN_REVIEW,
    PUBLISHED,
    ContentItem,
    ContentSuggestion,
    ShareEvent,
    ShareLink,
)
from app.library.text import is_safe_link, with_utm, x_length
from app.org.services import set_setting
from app.outbox.models import OutboxMessage
from app.training import services as training_services
from app.training.services import Clearance, ClearanceGap
from tests.factories import DepartmentFactory, UserFactory
from tests.library_factories import ContentItemFactory, SuggestionFactory

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content_library"


@pytest.fixture
def login(client, login):
    """Sign in as `user`, signing out whoever was signed in first."""

    def switch(user):
        client.post("/logout")
        return login(user)

    return switch


@pytest.fixture
def social2(db):
    return UserFactory(email="sofie@example.com", name="Sofie Social", is_social=True)


@pytest.fixture
def not_cleared(monkeypatch):
    monkeypatch.setattr(training_services, "sharing_clearance",
                        lambda user: Clearance(False, [ClearanceGap("Acknowledge the policy", "/policy/")]))


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def item_form(**overrides) -> dict:
    data = {"title": "Our autumn release", "link": "https://example.com/autumn?ref=x", "kind": "product-news",
            "body": "Why it matters", "topics": "product, releases", "language": "en",
            "caption_linkedin": "Proud of this one.", "caption_x": "Out now.", "caption_facebook": "Big day!"}
    data.update(overrides)
    return data


# ------------------------------------------------------------------ text rules

def test_x_counts_a_link_as_23_and_wide_characters_as_two():
    assert x_length("hello") == 5
    assert x_length("see https://example.com/a/very/long/path/that/goes/on?and=on") == 4 + 23
    assert x_length("日本語") == 6
    assert x_length("ok 👍") == 3 + 2
    assert x_length("👩‍💻") == 2
    assert x_length("café") == 4


def test_utm_parameters_are_merged_into_the_existing_query():
    url = with_utm("https://example.com/p?ref=news&utm_source=old#top", "linkedin", "autumn")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert query == {"ref": ["news"], "utm_source": ["linkedin"], "utm_medium": ["employee_advocacy"],
                     "utm_campaign": ["autumn"]}
    assert parts.fragment == "top" and parts.netloc == "example.com"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<script>x</script>", "//evil.example/x",
                                  "ftp://example.com/x", "https://", "https://exa mple.com", "/relative",
                                  "https:\\\\evil.example", "JaVaScRiPt:alert(1)", " https://example.com\n"])
def test_only_absolute_http_links_are_safe(link):
    assert not is_safe_link(link)


def test_http_and_https_links_are_safe():
    assert is_safe_link("https://example.com/a?b=c#d") and is_safe_link("http://example.com")


# ------------------------------------------------------------------ authoring

@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "//evil.example/x"])
def test_unsafe_links_are_refused_on_save(client, login, social, link):
    login(social)
    response = client.post("/library/manage/new", data=item_form(link=link))
    assert response.status_code == 200
    assert "starting with https://" in response.get_data(as_text=True)
    assert services.db.session.scalar(select(func.count()).select_from(ContentItem)) == 0


def test_a_caption_over_the_x_limit_is_refused_with_the_count(client, login, social):
    login(social)
    caption = "a" * 250
    response = client.post("/library/manage/new", data=item_form(caption_x=caption))
    html = response.get_data(as_text=True)
    expected = 250 + 1 + len("#WorkingAtExample") + 1 + 23
    assert f"This caption is {expected} characters with the link and disclosure; X allows 280." in html
    assert services.db.session.scalar(select(func.count()).select_from(ContentItem)) == 0


def test_a_renamed_non_image_is_refused(client, login, social):
    login(social)
    data = item_form(image=(io.BytesIO(b"MZ\x90\x00 this is not an image"), "photo.png"))
    response = client.post("/library/manage/new", data=data, content_type="multipart/form-data")
    assert "not a PNG, JPEG or WebP image" in response.get_data(as_text=True)
    assert services.db.session.scalar(select(func.count()).select_from(ContentItem)) == 0


def test_an_image_upload_is_stored_with_a_thumbnail_and_served_to_the_audience(client, login, social, employee,
                                                                                 social2):
    login(social)
    data = item_form(image=(io.BytesIO(png_bytes((1200, 800))), "whatever.bin"))
    response = client.post("/library/manage/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    item = services.db.session.scalar(select(ContentItem))
    assert item.image_name.endswith(".png") and item.image_thumb
    assert item.status == DRAFT and item.created_by_id == social.id
    assert client.get(f"/library/items/{item.id}/image/thumb").status_code == 200
    login(employee)
    assert client.get(f"/library/items/{item.id}/image/thumb").status_code == 404  # a draft's image too


def test_four_eyes_the_author_cannot_publish_a_second_social_member_can(client, login, social, social2):
    login(social)
    client.post("/library/manage/new", data=item_form())
    item = services.db.session.scalar(select(ContentItem))
    client.post(f"/library/manage/{item.id}/submit")
    services.db.session.refresh(item)
    assert item.status == IN_REVIEW and item.submitted_by_id == social.id
    page = client.get(f"/library/manage/{item.id}").get_data(as_text=True)
    assert "Four eyes" in page
    client.post(f"/library/manage/{item.id}/publish")
    services.db.session.refresh(item)
    assert item.status == IN_REVIEW

    login(social2)
    client.post(f"/library/manage/{item.id}/publish")
    services.db.session.refresh(item)
    assert item.status == PUBLISHED and item.published_by_id == social2.id and item.published_at is not None
    actions = set(services.db.session.scalars(select(AuditEvent.action)))
    assert {"library.item.created", "library.item.submitted", "library.item.published"} <= actions


def test_with_four_eyes_off_the_author_publishes_a_draft(client, login, social, admin):
    set_setting("library.four_eyes", False, actor=admin)
    login(social)
    client.post("/library/manage/new", data=item_form())
    item = services.db.session.scalar(select(ContentItem))
    client.post(f"/library/manage/{item.id}/publish")
    services.db.session.refresh(item)
    assert item.status == PUBLISHED and item.published_by_id == social.id


def test_editing_a_published_item_sends_it_back_to_review(client, login, social, social2):
    item = ContentItemFactory(created_by_id=social2.id, published_by_id=social2.id)
    login(social)
    assert "saving a change sends it back to review" in client.get(f"/library/manage/{item.id}/edit").get_data(
        as_text=True)
    response = client.post(f"/library/manage/{item.id}/edit", data=item_form(title="Changed title"))
    assert response.status_code == 302
    services.db.session.refresh(item)
    assert item.status == IN_REVIEW and item.title == "Changed title"


def test_blocked_words_are_refused_on_save_and_in_employees_wording(client, login, social, employee, admin):
    set_setting("library.blocked_words", "guaranteed\ncheapest ever", actor=admin)
    login(social)
    response = client.post("/library/manage/new", data=item_form(caption_linkedin="The CHEAPEST EVER deal."))
    assert "blocked-words list" in response.get_data(as_text=True)
    item = ContentItemFactory()
    login(employee)
    response = client.post(f"/library/items/{item.id}/share", data={"network": "linkedin",
                                                                     "caption": "Guaranteed returns!"})
    assert response.status_code == 302
    assert services.db.session.scalar(select(func.count()).select_from(ShareLink)) == 0
    assert "blocked-words list" in client.get(f"/library/items/{item.id}").get_data(as_text=True)


def test_archive_keeps_who_and_when(client, login, social):
    item = ContentItemFactory()
    login(social)
    client.post(f"/library/manage/{item.id}/archive")
    services.db.session.refresh(item)
    assert item.status == ARCHIVED and item.archived_by_id == social.id and item.archived_at


# ------------------------------------------------------------------ the feed and who sees what

def test_employees_get_404_for_drafts_and_other_audiences(client, login, employee):
    draft = ContentItemFactory(status=DRAFT, published_at=None)
    in_review = ContentItemFactory(status=IN_REVIEW, published_at=None)
    danish = ContentItemFactory(audience_languages=",da,")
    other_department = ContentItemFactory()
    other_department.departments = [DepartmentFactory(name="Sales")]
    expired = ContentItemFactory(expires_at=utcnow() - timedelta(hours=1))
    future = ContentItemFactory(publish_at=utcnow() + timedelta(days=2))
    visible = ContentItemFactory(title="Visible to Emma")
    services.db.session.commit()
    login(employee)
    for item in (draft, in_review, danish, other_department, expired, future):
        assert client.get(f"/library/items/{item.id}").status_code == 404, item
        assert client.post(f"/library/items/{item.id}/share", data={"network": "x"}).status_code == 404
    assert client.get(f"/library/items/{visible.id}").status_code == 200
    feed = client.get("/library/").get_data(as_text=True)
    assert "Visible to Emma" in feed and feed.count('data-testid="feed-item"') == 1


def test_the_feed_is_newest_first_filters_by_topic_and_searches(client, login, employee):
    dept = DepartmentFactory(name="Customer Service")
    employee.department_id = dept.id
    services.db.session.commit()
    ContentItemFactory(title="Older release", topics=",product,", published_at=utcnow() - timedelta(days=5))
    ContentItemFactory(title="Newer job", topics=",careers,", published_at=utcnow() - timedelta(days=1))
    for_team = ContentItemFactory(title="Team only", topics=",product,", published_at=utcnow() - timedelta(days=3))
    for_team.departments = [dept]
    services.db.session.commit()
    login(employee)
    html = client.get("/library/").get_data(as_text=True)
    assert html.index("Newer job") < html.index("Team only") < html.index("Older release")
    html = client.get("/library/?topic=product").get_data(as_text=True)
    assert "Newer job" not in html and "Older release" in html and "Team only" in html
    html = client.get("/library/?q=job").get_data(as_text=True)
    assert "Newer job" in html and "Older release" not in html


def test_captions_show_the_organisation_name_in_an_editable_box_with_a_counter(client, login, employee, admin):
    set_setting("organisation.name", "Nordlys", actor=admin)
    item = ContentItemFactory()
    login(employee)
    html = client.get(f"/library/items/{item.id}").get_data(as_text=True)
    assert "Proud of what Nordlys shipped this week." in html
    assert f'data-x-count-target="caption-{item.id}-x-count"' in html
    assert "#WorkingAtExample" in html and "library.js" in html


# ------------------------------------------------------------------ sharing

def test_sharing_redirects_to_the_share_intent_with_the_tracked_link_and_reuses_it(client, login, employee):
    item = ContentItemFactory()
    login(employee)
    response = client.post(f"/library/items/{item.id}/share",
                           data={"network": "linkedin", "caption": "My own words about this."})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    tracked = parse_qs(urlsplit(location).query)["url"][0]
    link = services.db.session.scalar(select(ShareLink))
    assert tracked.endswith(f"/s/{link.code}") and len(link.code) >= 16
    again = client.post(f"/library/items/{item.id}/share", data={"network": "linkedin", "caption": ""})
    assert parse_qs(urlsplit(again.headers["Location"]).query)["url"][0] == tracked
    assert services.db.session.scalar(select(func.count()).select_from(ShareLink)) == 1
    events = list(services.db.session.scalars(select(ShareEvent).order_by(ShareEvent.id)))
    assert [e.personalised for e in events] == [True, False]


def test_the_x_intent_carries_the_text_with_the_disclosure_that_cannot_be_removed(client, login, employee):
    item = ContentItemFactory()
    login(employee)
    response = client.post(f"/library/items/{item.id}/share", data={"network": "x", "caption": "Look at this"})
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert response.headers["Location"].startswith("https://twitter.com/intent/tweet?")
    assert query["text"] == ["Look at this #WorkingAtExample"]
    assert "/s/" in query["url"][0]
    facebook = client.post(f"/library/items/{item.id}/share", data={"network": "facebook", "caption": "x"})
    assert facebook.headers["Location"].startswith("https://www.facebook.com/sharer/sharer.php?u=")


def test_sharing_answers_json_for_the_page_script(client, login, employee):
    item = ContentItemFactory()
    login(employee)
    response = client.post(f"/library/items/{item.id}/share", data={"network": "copy", "caption": "Mine"},
                           headers={"Accept": "application/json"})
    body = response.get_json()
    assert body["text"].startswith("Mine #WorkingAtExample\n") and "/s/" in body["text"]
    email = client.post(f"/library/items/{item.id}/share", data={"network": "email", "caption": "Mine"})
    assert email.headers["Location"].startswith("mailto:?subject=")


def test_an_employee_caption_over_the_limit_is_refused(client, login, employee):
    item = ContentItemFactory()
    login(employee)
    response = client.post(f"/library/items/{item.id}/share", data={"network": "x", "caption": "é" * 260},
                           headers={"Accept": "application/json"})
    assert response.status_code == 422 and "X allows 280" in response.get_json()["error"]
    assert services.db.session.scalar(select(func.count()).select_from(ShareLink)) == 0


def test_a_person_not_cleared_sees_what_to_finish_and_the_server_refuses(client, login, employee, not_cleared):
    item = ContentItemFactory()
    login(employee)
    html = client.get("/library/").get_data(as_text=True)
    assert "Before you can share, finish:" in html and 'href="/policy/"' in html
    assert "Acknowledge the policy" in html and " disabled>" in html
    response = client.post(f"/library/items/{item.id}/share", data={"network": "linkedin", "caption": "hi"})
    assert response.status_code == 302 and "linkedin.com" not in response.headers["Location"]
    json_response = client.post(f"/library/items/{item.id}/share", data={"network": "x"},
                                headers={"Accept": "application/json"})
    assert json_response.status_code == 403
    assert json_response.get_json()["missing"] == [{"label": "Acknowledge the policy", "url": "/policy/"}]
    assert services.db.session.scalar(select(func.count()).select_from(ShareLink)) == 0


# ------------------------------------------------------------------ the crisis pause

def test_the_crisis_pause_banners_every_page_refuses_shares_and_keeps_links_working(
        client, login, social, employee, social2):
    item = ContentItemFactory()
    existing = services.link_for(employee.id, item.id, "linkedin")
    services.db.session.commit()
    login(social)
    response = client.post("/library/pause", data={"reason": "Incident at the Oslo office"})
    assert response.status_code == 302
    assert services.db.session.scalar(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action == "library.sharing.paused")) == 1
    recipients = set(services.db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {"sami@example.com", "sofie@example.com"}

    login(employee)
    for path in ("/", "/library/", f"/library/items/{item.id}", "/library/impact"):
        html = client.get(path).get_data(as_text=True)
        assert "Sharing is paused by the social team: Incident at the Oslo office" in html, path
    assert 'data-testid="share-paused"' in client.get("/library/").get_data(as_text=True)
    refused = client.post(f"/library/items/{item.id}/share", data={"network": "x", "caption": "hi"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 403 and refused.get_json()["reason"] == "paused"
    assert services.db.session.scalar(select(func.count()).select_from(ShareEvent)) == 0
    client.post("/logout")
    assert client.get(f"/s/{existing.code}").status_code == 302
    assert "Incident" not in client.get("/login").get_data(as_text=True)  # not told to the outside world

    login(social2)
    client.post("/library/resume")
    login(employee)
    assert "Sharing is paused" not in client.get("/library/").get_data(as_text=True)
    assert client.post(f"/library/items/{item.id}/share", data={"network": "x"}).status_code == 302


def test_pausing_twice_does_not_overwrite_the_first_reason(social, social2):
    assert services.pause_sharing(social, "First reason") is True
    assert services.pause_sharing(social2, "Second") is False
    assert services.current_pause().reason == "First reason"


# ------------------------------------------------------------------ suggestions and the desk

def test_a_suggestion_is_accepted_as_a_draft_crediting_the_suggester(client, login, employee, social):
    login(employee)
    response = client.post("/library/suggest", data={"link": "https://example.com/great-story",
                                                     "why": "Customers mention it.", "caption": "Worth a read"})
    assert response.status_code == 302
    login(social)
    suggestion = services.db.session.scalar(select(ContentSuggestion))
    assert "Customers mention it." in client.get("/library/review").get_data(as_text=True)
    response = client.post(f"/library/suggestions/{suggestion.id}/accept", data={"title": "A great story"})
    item = services.db.session.scalar(select(ContentItem))
    assert response.headers["Location"].endswith(f"/library/manage/{item.id}/edit")
    assert item.status == DRAFT and item.suggested_by_id == employee.id
    assert item.credit == "Suggested by Emma Employee" and item.link == "https://example.com/great-story"
    assert item.caption_linkedin == "Worth a read"


def test_a_declined_suggestion_shows_the_note_to_the_suggester(client, login, employee, social):
    suggestion = SuggestionFactory(suggested_by_id=employee.id)
    login(social)
    client.post(f"/library/suggestions/{suggestion.id}/decline", data={"note": "We covered this last month."})
    login(employee)
    html = client.get("/library/suggest").get_data(as_text=True)
    assert "declined" in html and "We covered this last month." in html
    assert services.db.session.scalar(select(OutboxMessage.recipient)) == employee.email


def test_a_suggestion_with_an_unsafe_link_is_refused(client, login, employee):
    login(employee)
    response = client.post("/library/suggest", data={"link": "javascript:alert(1)", "why": "x"})
    assert "starting with https://" in response.get_data(as_text=True)
    assert services.db.session.scalar(select(func.count()).select_from(ContentSuggestion)) == 0


def test_draft_from_report_makes_an_audited_draft_with_the_link(social):
    item = services.draft_from_report("https://example.com/praise", "Customer praise", "Lovely note", social)
    assert item.status == DRAFT and item.link == "https://example.com/praise" and item.source == "report"
    assert item.credit == "From a report to the social team" and item.created_by_id == social.id
    assert services.db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_id == str(item.id)))
    with pytest.raises(services.LibraryError):
        services.draft_from_report("javascript:alert(1)", "x", "", social)


# ------------------------------------------------------------------ analytics, impact, leaderboard

def _shares_and_clicks(user, item, network="linkedin", clicks=3):
    from app.library.models import Click

    link = services.link_for(user.id, item.id, network)
    services.db.session.add(ShareEvent(share_link_id=link.id, item_id=item.id, user_id=user.id, network=network))
    for n in range(clicks):
        services.db.session.add(Click(share_link_id=link.id, item_id=item.id, network=network,
                                      visitor_key=f"v{n % 2}", referrer_host="lnkd.in"))
    services.db.session.add(Click(share_link_id=link.id, item_id=item.id, network=network, visitor_key="bot",
                                  is_bot=True))
    services.db.session.commit()


def test_analytics_show_shares_by_network_clicks_unique_visitors_and_clicks_per_share(client, login, social,
                                                                                       employee):
    item = ContentItemFactory(title="Measured item")
    _shares_and_clicks(employee, item, "linkedin", clicks=4)
    _shares_and_clicks(employee, item, "x", clicks=2)
    stats = services.item_stats()[item.id]
    assert (stats.shares, stats.clicks, stats.bots, stats.visitors, stats.clicks_per_share) == (2, 6, 2, 2, 3.0)
    assert stats.by_network["linkedin"]["clicks"] == 4 and stats.by_network["x"]["shares"] == 1
    login(social)
    html = client.get("/library/analytics").get_data(as_text=True)
    assert "Measured item" in html and 'data-testid="total-clicks">6<' in html
    detail = client.get(f"/library/analytics/items/{item.id}").get_data(as_text=True)
    assert 'data-testid="item-clicks">6<' in detail and "lnkd.in" in detail
    csv = client.get("/library/analytics?format=csv").get_data(as_text=True)
    assert "Measured item" in csv.splitlines()[1]


def test_my_impact_shows_my_shares_and_their_clicks_only(client, login, employee):
    other = UserFactory()
    item = ContentItemFactory()
    _shares_and_clicks(employee, item, clicks=3)
    _shares_and_clicks(other, item, clicks=5)
    login(employee)
    html = client.get("/library/impact").get_data(as_text=True)
    assert 'data-testid="my-shares">1<' in html and 'data-testid="my-clicks">3<' in html


def test_the_leaderboard_is_opt_in_per_department_and_an_admin_can_switch_it_off(client, login, employee, admin):
    dept = DepartmentFactory(name="Support")
    shy = UserFactory(name="Shy Sharer", department_id=dept.id)
    keen = UserFactory(name="Keen Sharer", department_id=dept.id)
    elsewhere = UserFactory(name="Other Department")
    employee.department_id = dept.id
    services.db.session.commit()
    item = ContentItemFactory()
    for person in (shy, keen, elsewhere):
        _shares_and_clicks(person, item)
    services.set_preference(keen, digest=False, leaderboard=True)
    services.set_preference(elsewhere, digest=False, leaderboard=True)
    login(employee)
    assert 'data-testid="leaderboard"' not in client.get("/library/impact").get_data(as_text=True)
    client.post("/library/impact", data={"leaderboard": "y"})
    html = client.get("/library/impact?period=quarter").get_data(as_text=True)
    assert "Keen Sharer" in html and "Shy Sharer" not in html and "Other Department" not in html
    set_setting("library.leaderboard", False, actor=admin)
    assert "Keen Sharer" not in client.get("/library/impact").get_data(as_text=True)


def _statements(count_queries, client, path):
    with count_queries() as counted:
        assert client.get(path).status_code == 200
    return counted.count


def test_the_feed_and_analytics_do_not_query_per_item(client, login, social, employee, count_queries):
    dept = DepartmentFactory()
    first = ContentItemFactory()
    first.departments = [dept]
    services.db.session.commit()
    _shares_and_clicks(social, first)
    login(social)
    client.get("/library/")
    counts_one = [_statements(count_queries, client, p) for p in ("/library/", "/library/analytics",
                                                                   "/library/manage", "/library/impact")]
    for _ in range(19):
        item = ContentItemFactory()
        item.departments = [dept]
        services.db.session.commit()
        _shares_and_clicks(social, item)
        _shares_and_clicks(employee, item, "x")
    counts_twenty = [_statements(count_queries, client, p) for p in ("/library/", "/library/analytics",
                                                                      "/library/manage", "/library/impact")]
    assert counts_twenty == counts_one


# ------------------------------------------------------------------ digest

def test_the_digest_goes_once_a_week_to_people_who_opted_in(app, employee, sent_emails, deliver_outbox):
    other = UserFactory()
    ContentItemFactory(title="Fresh this week", published_at=utcnow() - timedelta(days=2))
    ContentItemFactory(title="Old news", published_at=utcnow() - timedelta(days=20))
    services.set_preference(employee, digest=True, leaderboard=False)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["library", "digest"])
    assert "1 email(s) queued" in result.output
    assert "0 email(s) queued" in runner.invoke(args=["library", "digest"]).output
    deliver_outbox()
    assert [m["To"] for m in sent_emails] == [employee.email]
    body = sent_emails[0].get_body(preferencelist=("plain",)).get_content()
    assert "Fresh this week" in body and "Old news" not in body and other.email not in body


# ------------------------------------------------------------------ content sync

def _content_copy(tmp_path) -> Path:
    folder = tmp_path / "content_library"
    shutil.copytree(CONTENT_DIR, folder)
    return folder


def test_content_sync_is_idempotent_reports_changes_and_malformed_files(app, tmp_path):
    folder = _content_copy(tmp_path)
    lines: list[str] = []
    counts = services.sync_content(lines.append, folder)
    assert counts["created"] >= 12 and counts["failed"] == 0
    item = services.db.session.scalar(select(ContentItem).where(ContentItem.slug == "autumn-release-2026"))
    assert item.status == IN_REVIEW and item.image_thumb and item.topic_list == ["product", "releases"]
    assert item.publish_at.isoformat().startswith("2026-10-06")

    lines.clear()
    again = services.sync_content(lines.append, folder)
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == counts["created"]
    total = services.db.session.scalar(select(func.count()).select_from(ContentItem))

    path = folder / "autumn-release-2026.md"
    path.write_text(path.read_text().replace("Our autumn release is here", "Our autumn release is out"))
    (folder / "broken.md").write_text("---\nslug: broken-item\ntitle: Broken\nlink: javascript:alert(1)\n---\nx")
    (folder / "bad-yaml.md").write_text("---\nslug: [unclosed\n---\nbody")
    lines.clear()
    third = services.sync_content(lines.append, folder)
    assert third["updated"] == 1 and third["failed"] == 2
    assert "updated autumn-release-2026 from autumn-release-2026.md" in lines
    assert any(line.startswith("skipped content_library/broken.md: link must be an http(s) URL") for line in lines)
    assert any(line.startswith("skipped content_library/bad-yaml.md: the front matter is not valid YAML")
               for line in lines)
    assert services.db.session.scalar(select(func.count()).select_from(ContentItem)) == total
    services.db.session.refresh(item)
    assert item.title == "Our autumn release is out"


def test_flask_content_sync_runs_the_library_source(app, tmp_path, monkeypatch):
    folder = tmp_path / "small"
    folder.mkdir()
    for name in ("backendutvecklare-stockholm.md", "code-club-utrecht.md"):
        shutil.copy(CONTENT_DIR / name, folder / name)
    monkeypatch.setitem(app.config, "CONTENT_LIBRARY_DIR", str(folder))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "sync"])
    assert "== library" in result.output and "created code-club-utrecht from code-club-utrecht.md" in result.output
    assert "library: 0 created, 0 updated, 2 unchanged, 0 skipped" in runner.invoke(args=["content", "sync"]).output
    swedish = services.db.session.scalar(select(ContentItem).where(ContentItem.slug == "backendutvecklare-stockholm"))
    assert swedish.language_list == ["sv"] and swedish.expires_at.isoformat().startswith("2027-02-28")


def test_demo_load_is_idempotent_and_gives_analytics_data(app):
    from app.library.demo import load_library
    from app.people.demo import load_people
    from app.people.models import User

    def figures():
        return (services.db.session.scalar(select(func.count()).select_from(ShareEvent)),
                services.db.session.scalar(select(func.count()).select_from(ContentSuggestion)),
                services.db.session.scalar(select(func.count()).select_from(ShareEvent)
                                           .join(User, User.id == ShareEvent.user_id)
                                           .where(User.email == "employee@example.com")))

    load_people()
    load_library()
    first = figures()
    load_library()
    assert figures() == first
    assert first[0] > 10 and first[1] == 1 and first[2] > 0
    assert services.db.session.scalar(select(func.count()).select_from(ContentItem)
                                      .where(ContentItem.status != PUBLISHED)) == 0


def test_library_settings_are_on_the_settings_page_for_the_roles_that_own_them(client, login, social, admin):
    login(social)
    html = client.get("/settings/").get_data(as_text=True)
    assert "Disclosure added to every share" in html and "Blocked words" in html
    assert "Sharing leaderboard" not in html and "second social team member" not in html
    login(admin)
    html = client.get("/settings/").get_data(as_text=True)
    assert "Sharing leaderboard" in html and "second social team member" in html


def test_the_home_page_shows_what_is_ready_to_share(client, login, employee):
    ContentItemFactory()
    login(employee)
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="library-panel"' in html and "1 item is ready for you to share" in html


def test_the_suggester_hears_when_their_item_is_published(employee, social, social2):
    suggestion = SuggestionFactory(suggested_by_id=employee.id)
    item = services.accept_suggestion(suggestion, social, "From Emma")
    services.submit_for_review(item, social)
    with pytest.raises(services.LibraryError):
        services.publish(item, social)
    services.publish(item, social2)
    subjects = list(services.db.session.scalars(select(OutboxMessage.subject)
                                                .where(OutboxMessage.recipient == employee.email)))
    assert "Your suggestion was accepted" in subjects and "Your suggestion is in the content library" in subjects


def test_sharing_needs_the_csrf_token_from_the_page(app, client, login, employee, monkeypatch):
    import re

    item = ContentItemFactory()
    login(employee)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = client.post(f"/library/items/{item.id}/share", data={"network": "linkedin", "caption": "hi"})
    assert refused.status_code == 400
    assert services.db.session.scalar(select(func.count()).select_from(ShareLink)) == 0
    page = client.get(f"/library/items/{item.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    shared = client.post(f"/library/items/{item.id}/share",
                         data={"network": "linkedin", "caption": "hi", "csrf_token": token})
    assert shared.status_code == 302 and "linkedin.com" in shared.headers["Location"]
