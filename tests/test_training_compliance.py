"""Compliance view, CSV evidence, reminders and digests, page statement counts, demo data."""

from __future__ import annotations

import csv
import io
from datetime import date

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.outbox.models import OutboxMessage
from app.policy.services import acknowledge
from app.training import services
from tests.factories import DepartmentFactory, UserFactory
from tests.policy_factories import make_module, pass_module, publish_version


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _org():
    """A manager with two reports (one overdue), an outsider, a policy and a module."""
    sales = DepartmentFactory(name="Sales")
    hr = DepartmentFactory(name="HR")
    boss = UserFactory(name="Bo Boss", email="bo@example.com", department=sales, start_date=date(2020, 1, 1))
    done = UserFactory(name="Dina Done", email="dina@example.com", department=sales, manager_id=boss.id,
                       start_date=date(2020, 1, 1))
    late = UserFactory(name="Lasse Late", email="lasse@example.com", department=sales, manager_id=boss.id,
                       start_date=date(2020, 1, 1))
    other = UserFactory(name="Olga Other", email="olga@example.com", department=hr, start_date=date(2020, 1, 1))
    version = publish_version("1.0")
    module = make_module("essentials", title="Essentials", due_days=14, assigned_on=date(2027, 1, 1))
    acknowledge(done, version)
    pass_module(done, module)
    return {"boss": boss, "done": done, "late": late, "other": other, "module": module, "version": version,
            "sales": sales, "hr": hr}


# ---------------------------------------------------------------- the compliance view

def test_admin_sees_rates_by_department_and_module_and_the_overdue_list(client, login, admin):
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False):
        org = _org()
        report = services.compliance()
        assert report.acknowledged.done == 1 and report.acknowledged.total == 5   # admin counts too
        sales = next(t for name, _a, t in report.by_department if name == "Sales")
        assert (sales.total, sales.done, sales.overdue) == (3, 1, 2)
        assert [(row.user.name, state.module.slug) for row, state in report.overdue] == [
            ("Astrid Admin", "essentials"), ("Bo Boss", "essentials"), ("Lasse Late", "essentials"),
            ("Olga Other", "essentials")]
        login(admin)
        page = client.get("/compliance").get_data(as_text=True)
        assert "Lasse Late" in page and "Olga Other" in page and "Dina Done" not in page
        assert page.count('data-testid="overdue-row"') == 4
        filtered = client.get(f"/compliance?department={org['hr'].id}&show=everyone").get_data(as_text=True)
        assert "Olga Other" in filtered and "Lasse Late" not in filtered
        not_cleared = client.get("/compliance?show=not_cleared").get_data(as_text=True)
        assert "Dina Done" not in not_cleared.split('data-testid="people-list"')[1]


def test_a_manager_sees_only_their_own_team(client, login):
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False):
        org = _org()
        login(org["boss"])
        page = client.get("/compliance").get_data(as_text=True)
        assert "your team" in page
        assert "Lasse Late" in page and "Olga Other" not in page
        everyone = client.get("/compliance?show=everyone").get_data(as_text=True).split('data-testid="people-list"')[1]
        assert "Dina Done" in everyone and "Olga Other" not in everyone and "Bo Boss" not in everyone
        rows = _csv(client.get("/compliance/completions.csv"))
        assert [r[0] for r in rows[1:]] == ["Dina Done"]
        acks = _csv(client.get("/compliance/acknowledgements.csv"))
        assert [r[0] for r in acks[1:]] == ["Dina Done"]


def test_people_without_a_team_cannot_open_compliance(client, login, employee):
    login(employee)
    assert client.get("/compliance").status_code == 403
    assert client.get("/compliance/completions.csv").status_code == 403


def test_csv_exports_are_ready_for_an_auditor(client, login, admin):
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False):
        org = _org()
        login(admin)
        acks = _csv(client.get("/compliance/acknowledgements.csv"))
        assert acks[0] == ["person", "email", "department", "policy", "language", "version label", "content hash",
                           "acknowledged at (UTC)"]
        assert acks[1] == ["Dina Done", "dina@example.com", "Sales", "social-media-policy", "en", "1.0",
                           org["version"].content_hash, "2027-03-01T09:00:00+00:00"]
        response = client.get("/compliance/completions.csv")
        assert response.headers["Content-Disposition"] == 'attachment; filename="completions.csv"'
        rows = _csv(response)
        assert rows[0][:8] == ["person", "email", "department", "module", "score", "passed", "completed at (UTC)",
                               "expires (UTC)"]
        assert rows[1][:9] == ["Dina Done", "dina@example.com", "Sales", "Essentials", "100", "yes",
                               "2027-03-01T09:00:00+00:00", "2028-03-01T09:00:00+00:00", "yes"]


def test_compliance_and_training_pages_do_not_grow_with_people_or_modules(client, login, admin, count_queries):
    def grow(people: int, modules: int, start: int):
        dept = DepartmentFactory()
        for n in range(people):
            person = UserFactory(department=dept, manager_id=admin.id)
            if n % 2:
                acknowledge(person, version)
        for n in range(start, start + modules):
            module = make_module(f"m{n}", position=n,
                                 audience={"everyone": True} if n % 2 else {"departments": [dept.name]})
            pass_module(admin, module)

    version = publish_version("1.0")
    grow(3, 2, 0)
    login(admin)
    pages = ("/compliance", "/compliance?show=everyone", "/training/", "/", "/compliance/completions.csv",
             "/training/m0")
    few = {}
    for url in pages:
        client.get(url)  # warm caches (settings, sessions) the same way for both runs
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        few[url] = counted.count
    grow(40, 12, 2)
    for url in pages:
        client.get(url)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        assert counted.count == few[url], (url, few[url], counted.count)


# ---------------------------------------------------------------- reminders

def _emails(to: str | None = None, template_subject: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.recipient == to)
    messages = list(db.session.scalars(query))
    return [m for m in messages if not template_subject or template_subject in m.subject]


def test_reminders_go_once_a_day_even_when_cron_runs_twice(app):
    with time_machine.travel("2027-03-01 06:00:00+00:00", tick=False):
        org = _org()
        newcomer = UserFactory(email="new@example.com", start_date=date(2027, 2, 25))   # due 2027-03-11: not yet
        UserFactory(email="almost@example.com", start_date=date(2027, 2, 18))  # due 2027-03-04: soon
        first = services.remind()
        second = services.remind()
        assert first["reminders"] == 4 and second["reminders"] == 0 and second["skipped"] == first["reminders"] + 1
        recipients = {m.recipient for m in _emails(template_subject="Training to complete")}
        assert recipients == {"bo@example.com", "lasse@example.com", "olga@example.com", "almost@example.com"}
        assert newcomer.email not in recipients and org["done"].email not in recipients
        late = _emails("lasse@example.com")[0]
        assert "Essentials: overdue since 2027-01-15" in late.body_text
        assert "http://localhost/training/" in late.body_text
        assert "Essentials: due 2027-03-04" in _emails("almost@example.com")[0].body_text
    with time_machine.travel("2027-03-02 06:00:00+00:00", tick=False):
        assert services.remind()["reminders"] == 4
        assert len(_emails("lasse@example.com", "Training to complete")) == 2


def test_a_completion_about_to_expire_is_reminded(app):
    with time_machine.travel("2027-03-01 06:00:00+00:00", tick=False):
        person = UserFactory(email="p@example.com", start_date=date(2020, 1, 1))
        module = make_module(recertify_months=12)
        pass_module(person, module)
    with time_machine.travel("2028-02-26 06:00:00+00:00", tick=False):
        assert services.remind()["reminders"] == 1
        [message] = _emails("p@example.com")
        assert "expires 2028-03-01" in message.body_text


def test_weekly_digest_to_each_manager_once_per_iso_week(app, sent_emails, deliver_outbox):
    with time_machine.travel("2027-03-01 06:00:00+00:00", tick=False):   # a Monday
        _org()
        assert services.remind()["digests"] == 1
        [digest] = _emails("bo@example.com", "overdue training this week")
        assert "Lasse Late: Essentials (due 2027-01-15)" in digest.body_text
        assert "Dina Done" not in digest.body_text
    with time_machine.travel("2027-03-07 22:00:00+00:00", tick=False):   # Sunday, same ISO week
        assert services.remind()["digests"] == 0
    with time_machine.travel("2027-03-08 06:00:00+00:00", tick=False):   # next Monday
        assert services.remind()["digests"] == 1
        deliver_outbox()
    assert any(m["To"] == "bo@example.com" and "overdue training" in m["Subject"] for m in sent_emails)


def test_remind_command(app):
    with time_machine.travel("2027-03-01 06:00:00+00:00", tick=False):
        _org()
        runner = app.test_cli_runner()
        out = runner.invoke(args=["training", "remind"]).output
        assert "training: 3 reminders and 1 manager digests queued, 0 already sent" in out
        again = runner.invoke(args=["training", "remind"]).output
        assert "0 reminders and 0 manager digests queued, 4 already sent" in again


# ---------------------------------------------------------------- demo data

def test_demo_load_clears_the_employee_not_the_new_joiner_and_is_idempotent(app):
    from app.people.services import find_by_email
    from app.policy.models import Acknowledgement, PolicyVersion
    from app.registry import demo_loaders
    from app.training.models import Completion, QuizAttempt, TrainingModule

    mine = [loader for loader in demo_loaders if loader.name in ("people", "policy", "training")]
    assert [(loader.order, loader.name) for loader in mine] == [(10, "people"), (20, "policy"), (30, "training")]

    def counts():
        return tuple(db.session.scalar(select(db.func.count()).select_from(m))
                     for m in (PolicyVersion, Acknowledgement, TrainingModule, QuizAttempt, Completion))

    for loader in mine:
        loader.fn()
    first = counts()
    for loader in mine:
        loader.fn()
    assert counts() == first
    assert services.sharing_clearance(find_by_email("employee@example.com")).cleared
    newjoiner = find_by_email("newjoiner@example.com")
    clearance = services.sharing_clearance(newjoiner)
    assert not clearance.cleared and len(clearance.missing) == 5
    assert not any(s.overdue for s in services.module_states(newjoiner))
    report = services.compliance()
    assert report.overdue and 0 < report.cleared.done < report.cleared.total
    assert any(s.status == services.EXPIRED for row in report.people for s in row.states)


def test_navigation_entries_follow_roles(client, login, admin, employee):
    login(employee)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/policy/"' in html and 'href="/training/"' in html
    assert 'href="/compliance"' not in html and 'href="/policy/publish"' not in html
    client.post("/logout")
    UserFactory(manager_id=admin.id)
    boss = UserFactory(email="boss@example.com")
    UserFactory(manager_id=boss.id)
    login(boss)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/compliance"' in html and 'href="/policy/publish"' not in html
    client.post("/logout")
    login(admin)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/compliance"' in html and 'href="/policy/publish"' in html
    assert 'href="/training/admin/modules"' in html
