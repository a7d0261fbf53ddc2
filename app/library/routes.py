from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from limits import parse as parse_limit

from app.access import Role, public, role_required
from app.extensions import client_address, db, limiter, login_manager
from app.library import bp, services
from app.library.forms import (
    AcceptForm,
    ConfirmForm,
    DeclineForm,
    ItemForm,
    PauseForm,
    PreferenceForm,
    ShareForm,
    SuggestForm,
)
from app.library.models import CAPTION_NETWORKS, NETWORKS, ContentItem, ContentSuggestion
from app.library.text import LIMITS, X_URL_LENGTH, share_length
from app.templating import org_timezone

PERIODS = {"30": 30, "90": 90, "365": 365}


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _visible_item(item_id: int) -> ContentItem:
    item = services.item_for(current_user, item_id)
    if item is None:
        abort(404)
    return item


def _extras() -> dict[str, int]:
    """Characters the disclosure and link add to a caption, per network, for the live counters."""
    text = services.disclosure()
    return {n: share_length(n, "", text) + (1 if text else 0) for n in LIMITS}


def _body_html(item: ContentItem):
    from app.markdown import render_markdown

    return render_markdown(item.body, {"organisation": services.organisation()})


def _share_context(items) -> dict:
    """What the share panels need, computed once per page (never per item)."""
    return {
        "extras": _extras(),
        "clearance": services.clearance_of(current_user),
        "paused": services.current_pause(),
        "disclosure": services.disclosure(),
        "limits": LIMITS,
        "url_length": X_URL_LENGTH,
        "networks": CAPTION_NETWORKS,
        "substituted": services.substituted,
        "my_stats": services.item_stats(item_ids=[i.id for i in items], user_id=current_user.id) if items else {},
    }


# ------------------------------------------------------------------ employees

@bp.get("/library/")
@role_required(Role.EMPLOYEE)
def feed():
    topic = request.args.get("topic", "").strip()[:60]
    search = request.args.get("q", "").strip()[:100]
    page = db.paginate(services.feed_query(current_user, topic, search), per_page=20, error_out=False)
    excerpts = {item.id: services.excerpt(item) for item in page.items}
    return render_template("library/feed.html", page=page, topic=topic, search=search, excerpts=excerpts,
                           topics=services.feed_topics(current_user), **_share_context(page.items))


@bp.get("/library/items/<int:item_id>")
@role_required(Role.EMPLOYEE)
def item(item_id: int):
    item = _visible_item(item_id)
    return render_template("library/item.html", item=item, live=services.is_live(item), body_html=_body_html(item),
                           **_share_context([item]))


@bp.get("/library/items/<int:item_id>/image/<variant>")
@role_required(Role.EMPLOYEE)
def image(item_id: int, variant: str):
    from app.uploads import MIME_TYPES, stored_path

    item = _visible_item(item_id)
    name = item.image_thumb if variant == "thumb" else item.image_name
    path = stored_path("library", name) if name else None
    if path is None:
        abort(404)
    return send_file(path, mimetype=MIME_TYPES.get(path.suffix.lstrip("."), "application/octet-stream"),
                     max_age=3600)


@bp.post("/library/items/<int:item_id>/share")
@role_required(Role.EMPLOYEE)
def share(item_id: int):
    """Check the rules, get the tracked link and send the person to the network's share page."""
    item = _visible_item(item_id)
    form = ShareForm()
    network = form.network.data if form.network.data in NETWORKS else None
    if not form.validate_on_submit() or network is None:
        abort(400)
    try:
        result = services.share(current_user, item, network, form.caption.data or "")
    except services.SharingRefused as refused:
        if _wants_json():
            return jsonify(error=refused.message, reason=refused.reason,
                           missing=[{"label": g.label, "url": g.url} for g in refused.gaps]), 403
        flash(refused.message + " " + "; ".join(g.label for g in refused.gaps), "danger")
        return redirect(url_for("library.item", item_id=item.id))
    except services.LibraryError as error:
        message = " ".join(error.errors.values())
        if _wants_json():
            return jsonify(error=message), 422
        flash(message, "danger")
        return redirect(url_for("library.item", item_id=item.id))
    if _wants_json():
        return jsonify(intent_url=result.intent_url, text=result.text, tracked_url=result.tracked_url)
    if network == "copy":
        return render_template("library/copied.html", item=item, result=result)
    return redirect(result.intent_url)


@bp.route("/library/suggest", methods=["GET", "POST"])
@role_required(Role.EMPLOYEE)
def suggest():
    form = SuggestForm()
    if form.validate_on_submit():
        try:
            services.suggest(current_user, form.link.data, form.why.data, form.caption.data)
        except services.LibraryError as error:
            for key, message in error.errors.items():
                getattr(form, key).errors.append(message)
        else:
            flash(_("Thank you. Your suggestion is in the social team's review queue."), "success")
            return redirect(url_for("library.suggest"))
    return render_template("library/suggest.html", form=form, suggestions=services.suggestions_of(current_user))


@bp.route("/library/impact", methods=["GET", "POST"])
@role_required(Role.EMPLOYEE)
def impact():
    pref = services.preference(current_user)
    form = PreferenceForm(data={"digest": pref.digest, "leaderboard": pref.leaderboard})
    if form.validate_on_submit():
        services.set_preference(current_user, form.digest.data, form.leaderboard.data)
        flash(_("Your choices are saved."), "success")
        return redirect(url_for("library.impact"))
    period = "quarter" if request.args.get("period") == "quarter" else "month"
    board = None
    if services.leaderboard_enabled() and pref.leaderboard:
        board = services.leaderboard(current_user.department_id, period)
    return render_template("library/impact.html", impact=services.my_impact(current_user), form=form, pref=pref,
                           board=board, period=period, period_label=services.period_bounds(period)[2],
                           leaderboard_enabled=services.leaderboard_enabled())


MISS_LIMIT = parse_limit("30/minute")


def _misses_allowed() -> bool:
    """Whether this client may still try codes: unknown codes count against 30 a minute per address."""
    return not limiter.enabled or limiter.limiter.test(MISS_LIMIT, "library-link-miss", client_address())


@bp.get("/s/<code>")
@public
@limiter.exempt
def go(code: str):
    """A tracked link: 302 to the item's link with UTM parameters, recording the click. Public.

    The endpoint the whole internet hits: one indexed lookup and one insert, no session and no
    user loaded. Only misses count towards the rate limit (checked against the limiter's storage
    directly, which costs a fraction of a decorated limit on every hit).
    """
    # Never load the visitor's account here, even when they are signed in: the link is the same for all.
    g._login_user = login_manager.anonymous_user()
    if not _misses_allowed():
        abort(429)
    destination = services.follow(code, request.remote_addr or "", request.headers.get("User-Agent", ""),
                                  request.headers.get("Referer"))
    if destination is None:
        if limiter.enabled:
            limiter.limiter.hit(MISS_LIMIT, "library-link-miss", client_address())
        return render_template("library/link_not_found.html"), 404
    response = redirect(destination, code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# ------------------------------------------------------------------ the social team

def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(org_timezone()).replace(tzinfo=None) if value else None


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=org_timezone()).astimezone(UTC) if value else None


def _fill_choices(form: ItemForm) -> None:
    from app.people.services import department_choices

    form.department_ids.choices = department_choices()


@bp.get("/library/manage")
@role_required(Role.SOCIAL)
def manage():
    status = request.args.get("status", "")
    search = request.args.get("q", "").strip()[:100]
    page = db.paginate(services.manage_query(status, search), per_page=25, error_out=False)
    return render_template("library/manage.html", page=page, status=status, search=search,
                           counts=services.status_counts(), now=services.utcnow())


def _save(item: ContentItem, form: ItemForm):
    if form.validate_on_submit():
        data = dict(form.data)
        data["publish_at"], data["expires_at"] = _utc(form.publish_at.data), _utc(form.expires_at.data)
        upload = form.image.data
        image = upload.read() if upload and getattr(upload, "filename", "") else None
        was_published = item.status == "published"
        try:
            services.save_item(item, current_user, data, image=image)
        except services.LibraryError as error:
            for key, message in error.errors.items():
                target = getattr(form, key, None)
                (target.errors if target is not None else form.form_errors).append(message)
        else:
            if was_published and item.status == "in_review":
                flash(_("Saved. The change to a published item goes back to review (four eyes)."), "warning")
            else:
                flash(_("“%(title)s” is saved.", title=item.title), "success")
            return redirect(url_for("library.manage_item", item_id=item.id))
    return render_template("library/form.html", form=form, item=item, disclosure=services.disclosure(),
                           limits=LIMITS, extras=_extras())


@bp.route("/library/manage/new", methods=["GET", "POST"])
@role_required(Role.SOCIAL)
def create():
    form = ItemForm()
    _fill_choices(form)
    return _save(ContentItem(), form)


@bp.route("/library/manage/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(Role.SOCIAL)
def edit(item_id: int):
    item = db.get_or_404(ContentItem, item_id)
    if item.status == "archived":
        flash(_("Archived items cannot be edited."), "warning")
        return redirect(url_for("library.manage_item", item_id=item.id))
    form = ItemForm(obj=item)
    _fill_choices(form)
    if request.method == "GET":
        form.topics.data = ", ".join(item.topic_list)
        form.audience_languages.data = item.language_list
        form.department_ids.data = [d.id for d in item.departments]
        form.publish_at.data, form.expires_at.data = _local(item.publish_at), _local(item.expires_at)
    return _save(item, form)


@bp.get("/library/manage/<int:item_id>")
@role_required(Role.SOCIAL)
def manage_item(item_id: int):
    item = db.get_or_404(ContentItem, item_id)
    people = services.people_by_id([item.created_by_id, item.submitted_by_id, item.published_by_id,
                                    item.archived_by_id, item.updated_by_id])
    return render_template("library/manage_item.html", item=item, people=people, confirm=ConfirmForm(),
                           blocker=services.publish_blocker(item, current_user), live=services.is_live(item),
                           four_eyes=services.four_eyes(), substituted=services.substituted,
                           body_html=_body_html(item))


def _transition(item_id: int, action, done: str):
    item = db.get_or_404(ContentItem, item_id)
    if ConfirmForm().validate_on_submit():
        try:
            action(item, current_user)
        except services.LibraryError as error:
            flash(" ".join(error.errors.values()), "danger")
        else:
            flash(done, "success")
    return redirect(url_for("library.manage_item", item_id=item.id))


@bp.post("/library/manage/<int:item_id>/submit")
@role_required(Role.SOCIAL)
def submit(item_id: int):
    return _transition(item_id, services.submit_for_review, _("Sent for review. A second social team member "
                                                              "publishes it."))


@bp.post("/library/manage/<int:item_id>/publish")
@role_required(Role.SOCIAL)
def publish(item_id: int):
    return _transition(item_id, services.publish, _("Published."))


@bp.post("/library/manage/<int:item_id>/return")
@role_required(Role.SOCIAL)
def return_to_draft(item_id: int):
    return _transition(item_id, services.return_to_draft, _("Returned to draft."))


@bp.post("/library/manage/<int:item_id>/archive")
@role_required(Role.SOCIAL)
def archive(item_id: int):
    return _transition(item_id, services.archive, _("Archived. Links already shared keep working."))


@bp.get("/library/review")
@role_required(Role.SOCIAL)
def review():
    items = services.review_items()
    people = services.people_by_id([i.submitted_by_id for i in items] + [i.created_by_id for i in items])
    return render_template("library/review.html", items=items, suggestions=services.pending_suggestions(),
                           accept_form=AcceptForm(), decline_form=DeclineForm(), people=people)


@bp.post("/library/suggestions/<int:suggestion_id>/accept")
@role_required(Role.SOCIAL)
def accept_suggestion(suggestion_id: int):
    suggestion = db.get_or_404(ContentSuggestion, suggestion_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        flash(_("Give the draft a title."), "danger")
        return redirect(url_for("library.review"))
    try:
        item = services.accept_suggestion(suggestion, current_user, form.title.data)
    except services.LibraryError as error:
        flash(" ".join(error.errors.values()), "danger")
        return redirect(url_for("library.review"))
    flash(_("Accepted. The draft credits the colleague who suggested it; finish and send it for review."), "success")
    return redirect(url_for("library.edit", item_id=item.id))


@bp.post("/library/suggestions/<int:suggestion_id>/decline")
@role_required(Role.SOCIAL)
def decline_suggestion(suggestion_id: int):
    suggestion = db.get_or_404(ContentSuggestion, suggestion_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        flash(_("Tell the colleague why, in a sentence."), "danger")
        return redirect(url_for("library.review"))
    try:
        services.decline_suggestion(suggestion, current_user, form.note.data)
    except services.LibraryError as error:
        flash(" ".join(error.errors.values()), "danger")
    else:
        flash(_("Declined. The colleague sees your note."), "success")
    return redirect(url_for("library.review"))


@bp.route("/library/pause", methods=["GET", "POST"])
@role_required(Role.SOCIAL)
def pause():
    form = PauseForm()
    if form.validate_on_submit():
        try:
            changed = services.pause_sharing(current_user, form.reason.data)
        except services.LibraryError as error:
            form.reason.errors.append(error.errors["reason"])
        else:
            flash(_("Sharing is paused for everyone.") if changed else _("Sharing was already paused."), "warning")
            return redirect(url_for("library.pause"))
    return render_template("library/pause.html", form=form, pause=services.current_pause(), confirm=ConfirmForm())


@bp.post("/library/resume")
@role_required(Role.SOCIAL)
def resume():
    if ConfirmForm().validate_on_submit() and services.resume_sharing(current_user):
        flash(_("Sharing is open again."), "success")
    return redirect(url_for("library.pause"))


def _period() -> tuple[str, datetime | None]:
    key = request.args.get("days", "90")
    days = PERIODS.get(key)
    return (key if days else "all"), (services.utcnow() - timedelta(days=days) if days else None)


@bp.get("/library/analytics")
@role_required(Role.SOCIAL)
def analytics():
    key = _period()[0]
    days = PERIODS.get(key)
    if request.args.get("format") == "csv":
        from app.csvutil import csv_response

        result = services.analytics(days, per_page=None)
        return csv_response("sharing-analytics.csv",
                            ["item", "slug", "status", "shares", "sharers", "clicks", "unique_visitors",
                             "clicks_per_share", "bot_clicks", "own_words_percent"],
                            ([i.title, i.slug, i.status, s.shares, s.sharers, s.clicks, s.visitors,
                              s.clicks_per_share, s.bots, s.personalised_share] for i, s in result.rows))
    result = services.analytics(days, page=request.args.get("page", 1, type=int))
    return render_template("library/analytics.html", result=result, rows=result.rows, total=result.sums, days=key,
                           departments=services.department_stats(days))


@bp.get("/library/analytics/items/<int:item_id>")
@role_required(Role.SOCIAL)
def item_analytics(item_id: int):
    item = db.get_or_404(ContentItem, item_id)
    return render_template("library/analytics_item.html", item=item, **services.item_detail_stats(item))
