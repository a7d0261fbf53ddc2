"""Policy: importing versions, acknowledging, material vs minor changes, what changed, publishing."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.policy import services
from app.policy.models import Acknowledgement, PolicyVersion
from tests.factories import UserFactory
from tests.policy_factories import POLICY_BODY, publish_version

REPO_POLICIES = Path(__file__).resolve().parent.parent / "policies"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _write(path: Path, meta: str, body: str = POLICY_BODY) -> Path:
    path.write_text(f"---\n{meta}\n---\n{body}", encoding="utf-8")
    return path


META = "slug: social-media-policy\ntitle: Social media policy\nlanguage: en\nversion: \"{v}\"\nchange: {c}\nsummary: s"


# ---------------------------------------------------------------- content sync

def test_sync_imports_the_real_policies_once_and_then_changes_nothing(app):
    lines: list[str] = []
    first = services.import_policies(lines.append, REPO_POLICIES)
    assert first == {"created": 2, "unchanged": 0, "errors": 0}
    assert any("version 1.0 (en, material)" in line for line in lines)
    assert any("(da, material)" in line for line in lines)
    lines.clear()
    second = services.import_policies(lines.append, REPO_POLICIES)
    assert second == {"created": 0, "unchanged": 2, "errors": 0}
    assert lines == ["policies: nothing changed (2 unchanged)"]
    assert _count(PolicyVersion) == 2
    version = db.session.scalar(select(PolicyVersion).where(PolicyVersion.language == "en"))
    assert len(version.content_hash) == 64
    assert version.title == "Social media policy"


def test_a_changed_file_creates_a_new_immutable_version(tmp_path):
    path = _write(tmp_path / "p.en.md", META.format(v="1.0", c="material"))
    services.import_policies(lambda _t: None, tmp_path)
    old = db.session.scalar(select(PolicyVersion))
    old_hash, old_body = old.content_hash, old.body
    _write(path, META.format(v="1.1", c="minor"), POLICY_BODY.replace("own voice", "own words"))
    lines: list[str] = []
    assert services.import_policies(lines.append, tmp_path)["created"] == 1
    assert lines == ["created: policy social-media-policy version 1.1 (en, minor)"]
    versions = list(db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.id)))
    assert [v.version_label for v in versions] == ["1.0", "1.1"]
    assert versions[0].content_hash == old_hash and versions[0].body == old_body
    assert versions[1].content_hash != old_hash


def test_changed_text_under_an_old_label_is_refused_with_the_reason(tmp_path):
    path = _write(tmp_path / "p.en.md", META.format(v="1.0", c="material"))
    services.import_policies(lambda _t: None, tmp_path)
    _write(path, META.format(v="1.0", c="material"), POLICY_BODY + "\nMore.\n")
    lines: list[str] = []
    assert services.import_policies(lines.append, tmp_path)["errors"] == 1
    assert str(path) in lines[0] and "new version label" in lines[0]
    assert _count(PolicyVersion) == 1


def test_sync_after_a_web_edit_leaves_the_newer_web_version_alone(tmp_path, admin):
    _write(tmp_path / "p.en.md", META.format(v="1.0", c="material"))
    services.import_policies(lambda _t: None, tmp_path)
    publish_version("2.0", body=POLICY_BODY + "\n## Web\n\nEdited online.\n", actor=admin)
    lines: list[str] = []
    assert services.import_policies(lines.append, tmp_path) == {"created": 0, "unchanged": 1, "errors": 0}
    assert _count(PolicyVersion) == 2


def test_malformed_files_are_reported_with_path_and_reason_and_import_nothing(tmp_path):
    shutil.copy(REPO_POLICIES / "social-media-policy.en.md", tmp_path / "good.en.md")
    (tmp_path / "nofront.md").write_text("## Just text\n", encoding="utf-8")
    _write(tmp_path / "badyaml.md", "slug: [unclosed")
    _write(tmp_path / "badchange.md", META.format(v="9", c="huge").replace("language: en", "language: da"))
    _write(tmp_path / "missing.md", "slug: social-media-policy\ntitle: T")
    _write(tmp_path / "badlang.md", META.format(v="2", c="minor").replace("language: en", "language: xx"))
    lines: list[str] = []
    counts = services.import_policies(lines.append, tmp_path)
    assert counts == {"created": 1, "unchanged": 0, "errors": 5}
    errors = "\n".join(line for line in lines if line.startswith("error:"))
    assert "nofront.md: the file does not start with front matter" in errors
    assert "badyaml.md: the front matter is not valid YAML" in errors
    assert "badchange.md: change “huge” must be material or minor" in errors
    assert "missing.md: missing front matter key(s): language, version, change" in errors
    assert "badlang.md: language “xx”" in errors
    assert _count(PolicyVersion) == 1


def test_content_sync_command_runs_policy_and_training(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "POLICIES_DIR", str(REPO_POLICIES))
    monkeypatch.setitem(app.config, "CONTENT_LIBRARY_DIR", str(tmp_path))  # other sources: nothing to import
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert "created: policy social-media-policy version 1.0 (en, material)" in result.output
    assert "created: training module policy-essentials" in result.output
    again = runner.invoke(args=["content", "sync"])
    assert "policies: nothing changed (2 unchanged)" in again.output
    assert "training: nothing changed (4 unchanged)" in again.output


# ---------------------------------------------------------------- which acknowledgement counts

def _status(user):
    services._forget_cache()
    return services.policy_statuses(user)[0]


def test_material_change_asks_again_and_minor_change_does_not(employee):
    v1 = publish_version("1.0")
    assert not _status(employee).satisfied
    services.acknowledge(employee, v1)
    assert _status(employee).satisfied
    publish_version("1.1", "minor", POLICY_BODY.replace("own voice", "own words"))
    status = _status(employee)
    assert status.satisfied and status.current.version_label == "1.1"
    publish_version("2.0", "material", POLICY_BODY + "\n## New rules\n\nAsk first.\n")
    status = _status(employee)
    assert not status.satisfied and status.last_acknowledged.version_label == "1.0"


def test_an_acknowledgement_in_any_language_counts(db):
    danish = UserFactory(language="da")
    english = UserFactory(language="en")
    publish_version("1.0")
    da = publish_version("1.0", language="da", title="Politik for sociale medier", body="## Hvorfor\n\nFordi.\n")
    assert _status(danish).current.id == da.id
    services.acknowledge(danish, da)
    assert _status(danish).satisfied
    en_v2 = publish_version("2.0", body=POLICY_BODY + "\n## New\n\nText.\n")
    # The Danish translation lags behind: the Danish reader is shown the English 2.0.
    status = _status(danish)
    assert not status.satisfied and status.current.id == en_v2.id
    services.acknowledge(english, en_v2)
    da_v2 = publish_version("2.0", language="da", title="Politik", body="## Hvorfor\n\nFordi nu.\n")
    # Publishing the translation of 2.0 later does not ask the English reader again.
    assert _status(english).satisfied
    assert _status(danish).current.id == da_v2.id


def test_acknowledging_twice_keeps_one_row_and_one_audit_event(employee):
    version = publish_version("1.0")
    assert services.acknowledge(employee, version) is True
    assert services.acknowledge(employee, version) is False
    assert _count(Acknowledgement) == 1
    ack = db.session.scalar(select(Acknowledgement))
    assert ack.content_hash == version.content_hash


def test_two_simultaneous_acknowledgements_leave_one_row(app, employee):
    version_id = publish_version("1.0").id
    user_id = employee.id
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                user = db.session.get(type(employee), user_id)
                version = db.session.get(PolicyVersion, version_id)
                barrier.wait(timeout=10)
                results.append(services.acknowledge(user, version))
            except Exception as error:  # surfaced below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    db.session.expire_all()
    assert _count(Acknowledgement) == 1


# ---------------------------------------------------------------- what changed

def test_compare_marks_added_changed_and_removed_sections_with_changed_words():
    old = "## Intro\n\nShare approved content in your own voice.\n\n## Old section\n\nGone soon.\n\n## Same\n\nStays.\n"
    new = ("## Intro\n\nShare approved content in your **personal** voice.\n\n## Same\n\nStays.\n\n"
           "## Brand new\n\nAsk the social team first.\n")
    changes = services.compare(old, new, {})
    kinds = {c.heading: c.kind for c in changes}
    assert kinds == {"Intro": "changed", "Same": "unchanged", "Brand new": "added", "Old section": "removed"}
    intro = next(c for c in changes if c.heading == "Intro")
    assert ("removed", "own") in intro.words and ("added", "personal") in intro.words
    assert "**" not in "".join(text for _kind, text in intro.words)


def test_compare_treats_a_renamed_section_with_similar_text_as_changed():
    old = "## Contact\n\nWrite to the social team through the Report channel when you see something.\n"
    new = "## Whom to contact\n\nWrite to the social team through the Report channel when you see anything.\n"
    [change] = services.compare(old, new, {})
    assert change.kind == "changed" and change.old_heading == "Contact"


# ---------------------------------------------------------------- pages

def test_employee_reads_and_acknowledges_the_policy(client, login, employee, db):
    from app.org.services import set_setting

    set_setting("organisation.name", "Nordlys A/S")
    version = publish_version("1.0")
    login(employee)
    page = client.get("/policy/").get_data(as_text=True)
    assert "In social media we are all a touchpoint at Nordlys A/S." in page
    assert "{{ organisation }}" not in page
    assert "I have read and understood" in page
    refused = client.post(f"/policy/versions/{version.id}/acknowledge", data={}, follow_redirects=True)
    assert "Tick the box" in refused.get_data(as_text=True)
    assert _count(Acknowledgement) == 0
    done = client.post(f"/policy/versions/{version.id}/acknowledge", data={"confirm": "y"}, follow_redirects=True)
    assert "Your acknowledgement of version 1.0 is recorded" in done.get_data(as_text=True)
    assert _count(Acknowledgement) == 1
    page = client.get("/policy/").get_data(as_text=True)
    assert "You acknowledged version 1.0" in page and "I have read and understood" not in page


def test_after_a_material_change_the_employee_sees_what_changed(client, login, employee):
    services.acknowledge(employee, publish_version("1.0"))
    publish_version("2.0", "material", POLICY_BODY.replace("own voice", "personal voice")
                    + "\n## Crisis rules\n\nDo not post during a crisis.\n", summary="Crisis rules added.")
    login(employee)
    page = client.get("/policy/").get_data(as_text=True)
    assert "The policy has changed since you acknowledged version 1.0" in page
    assert "What changed since version 1.0" in page
    assert "Crisis rules added." in page
    assert '<ins class="diff-added">personal</ins>' in page
    assert '<del class="diff-removed">own</del>' in page
    assert "New section" in page and "Crisis rules" in page
    assert "I have read and understood" in page


def test_after_a_minor_change_nothing_is_asked(client, login, employee):
    services.acknowledge(employee, publish_version("1.0"))
    publish_version("1.0.1", "minor", POLICY_BODY.replace("touchpoint", "touch point"))
    login(employee)
    page = client.get("/policy/").get_data(as_text=True)
    assert "You acknowledged version 1.0" in page
    assert "Later changes were minor" in page
    assert "I have read and understood" not in page
    assert "What changed" not in page


def test_history_lists_versions_and_compare_page_works(client, login, employee):
    v1 = publish_version("1.0")
    v2 = publish_version("2.0", body=POLICY_BODY + "\n## More\n\nText.\n")
    login(employee)
    history = client.get("/policy/history").get_data(as_text=True)
    assert v1.content_hash[:12] in history and v2.content_hash[:12] in history
    compare = client.get(f"/policy/compare/{v1.id}/{v2.id}").get_data(as_text=True)
    assert "New section" in compare
    assert client.get(f"/policy/versions/{v1.id}").status_code == 200


def test_reading_another_language_and_acknowledging_it(client, login, employee):
    publish_version("1.0")
    da = publish_version("1.0", language="da", title="Politik for sociale medier", body="## Hvorfor\n\nFordi.\n")
    login(employee)
    page = client.get("/policy/?lang=da").get_data(as_text=True)
    assert "Politik for sociale medier" in page
    client.post(f"/policy/versions/{da.id}/acknowledge", data={"confirm": "y"})
    assert _status(employee).satisfied


def test_a_lagging_translation_cannot_be_acknowledged_instead_of_the_current_version(client, login, db):
    danish = UserFactory(language="da")
    publish_version("1.0")
    publish_version("1.0", language="da", title="Politik for sociale medier", body="## Hvorfor\n\nFordi.\n")
    publish_version("2.0", body=POLICY_BODY + "\n## New\n\nText.\n")
    login(danish)
    current = client.get("/policy/").get_data(as_text=True)
    assert "Version 2.0" in current and "I have read and understood" in current
    old = client.get("/policy/?lang=da").get_data(as_text=True)
    assert "This translation is of an earlier version (1.0)" in old
    assert "I have read and understood" not in old


def test_no_policy_yet_shows_a_friendly_page(client, login, employee):
    login(employee)
    assert "No policy has been published yet" in client.get("/policy/").get_data(as_text=True)


# ---------------------------------------------------------------- publishing in the web editor

def _publish_form(**overrides):
    data = {"slug": "social-media-policy", "language": "en", "version_label": "2.0", "title": "Social media policy",
            "change": "material", "summary": "Clearer rules.", "body": POLICY_BODY + "\n## Added\n\nNew text.\n"}
    data.update(overrides)
    return data


def test_admin_previews_then_publishes_a_material_change(client, login, admin):
    publish_version("1.0")
    login(admin)
    form = client.get("/policy/publish").get_data(as_text=True)
    assert "In social media we are all a touchpoint" in form  # the current text, ready to edit
    preview = client.post("/policy/publish", data=_publish_form(preview="Preview"))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'data-testid="preview"' in text and "<h2>Added</h2>" in text.replace('<h2 id="added">', "<h2>")
    assert "New section" in text
    assert _count(PolicyVersion) == 1
    published = client.post("/policy/publish", data=_publish_form(publish="Publish"), follow_redirects=True)
    assert "Version 2.0 (en) is published" in published.get_data(as_text=True)
    version = db.session.scalar(select(PolicyVersion).where(PolicyVersion.version_label == "2.0"))
    assert version.change == "material" and version.published_by_id == admin.id and version.source == "web"
    from app.audit.models import AuditEvent

    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "policy.published",
                                                      AuditEvent.target_id == str(version.id)))


def test_publishing_the_same_text_or_a_used_label_is_refused(client, login, admin):
    publish_version("1.0")
    login(admin)
    same = client.post("/policy/publish", data=_publish_form(body=POLICY_BODY, publish="Publish"))
    assert "The text is the same as the current version" in same.get_data(as_text=True)
    used = client.post("/policy/publish", data=_publish_form(version_label="1.0", publish="Publish"))
    assert "Version 1.0 is already published in this language" in used.get_data(as_text=True)
    missing = client.post("/policy/publish", data=_publish_form(version_label="", publish="Publish"))
    assert "Give the version a label" in missing.get_data(as_text=True)
    assert _count(PolicyVersion) == 1


def test_employees_cannot_publish(client, login, employee):
    login(employee)
    assert client.get("/policy/publish").status_code == 403
    assert client.post("/policy/publish", data=_publish_form(publish="Publish")).status_code == 403
    assert _count(PolicyVersion) == 0


XSS = """## Harmless heading

<script>alert(1)</script>
<img src="x" onerror="alert(2)">
[click me](javascript:alert(3))
<a href="javascript:alert(4)" onclick="alert(5)">link</a>
<iframe src="https://evil.example"></iframe>
"""


def _assert_inert(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script>alert", "onerror=", "javascript:", "onclick=", "<iframe"):
        assert bad not in lowered, bad


def test_script_in_the_web_editor_never_executes(client, login, admin, employee):
    publish_version("1.0")
    login(admin)
    preview = client.post("/policy/publish", data=_publish_form(body=XSS, preview="Preview"))
    _assert_inert(preview.get_data(as_text=True).split('data-testid="preview"')[1])
    client.post("/policy/publish", data=_publish_form(body=XSS, publish="Publish"))
    version = db.session.scalar(select(PolicyVersion).where(PolicyVersion.version_label == "2.0"))
    assert version is not None
    client.post("/logout")
    login(employee)
    _assert_inert(client.get("/policy/").get_data(as_text=True))
    _assert_inert(client.get(f"/policy/versions/{version.id}").get_data(as_text=True))


def test_script_in_a_policy_file_never_executes(client, login, employee, tmp_path):
    _write(tmp_path / "x.en.md", META.format(v="1.0", c="material"), XSS)
    services.import_policies(lambda _t: None, tmp_path)
    login(employee)
    _assert_inert(client.get("/policy/").get_data(as_text=True))


def test_publish_time_is_recorded_with_frozen_time(admin):
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False):
        version = publish_version("1.0", actor=admin)
    assert version.published_at.isoformat() == "2027-03-01T09:00:00+00:00"
