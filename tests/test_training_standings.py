"""The compliance page reads stored standings; its figures must equal the full computation
(`services.compliance`, which loads everyone) for the same data, on any day, after any change."""

from __future__ import annotations

from datetime import date

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.people import services as people_services
from app.policy.services import acknowledge
from app.training import services, standings
from app.training.models import CompliancePerson, TrainingStanding
from tests.factories import DepartmentFactory, UserFactory
from tests.policy_factories import answers_for, make_module, pass_module, publish_version


def _fail(user, module):
    attempt = services.start_attempt(user, module)
    services.submit_attempt(attempt, user, answers_for(attempt, False))


def _rates(rates):
    return [(r.label, r.total, r.done, r.overdue) for r in rates]


def _departments(by_department):
    return [(name, a.total, a.done, t.total, t.done, t.overdue) for name, a, t in by_department]


def assert_same(manager=None, department_id=None, module_id=None, limit=300):
    """The stored figures and lists equal the reference computation for this scope."""
    old = services.compliance(manager, department_id, module_id)
    for show in ("overdue", "not_cleared", "everyone"):
        new = services.compliance_overview(manager, department_id, module_id, show, limit)
        scope = (manager and manager.name, department_id, module_id, show)
        assert [m.id for m in new.modules] == [m.id for m in old.modules], scope
        assert _rates((new.acknowledged, new.trained, new.cleared)) == \
            _rates((old.acknowledged, old.trained, old.cleared)), scope
        assert _departments(new.by_department) == _departments(old.by_department), scope
        assert _rates(new.by_module) == _rates(old.by_module), scope
        expected_overdue = [(row.user.name, row.user.department.name if row.user.department else None,
                             state.module.title, state.due, state.status == services.EXPIRED, state.days_overdue)
                            for row, state in old.overdue]
        assert [(o.name, o.department, o.module, o.due, o.expired, o.days_overdue) for o in new.overdue] == \
            expected_overdue[:limit], scope
        assert new.overdue_total == len(expected_overdue), scope
        if show == "overdue":
            assert new.people == [] and new.people_total == 0
            continue
        rows = [row for row in old.people if show == "everyone" or not row.cleared]
        expected = [(row.user.name, row.user.department.name if row.user.department else None, row.acknowledged,
                     sum(s.valid for s in row.states), len(row.states), row.cleared) for row in rows]
        assert [(p.name, p.department, p.acknowledged, p.passed, p.assigned, p.cleared) for p in new.people] == \
            expected[:limit], scope
        assert new.people_total == len(rows), scope


def assert_all_scopes(org, limit=300):
    assert_same(limit=limit)
    for department in (org["sales"], org["hr"], org["ops"]):
        assert_same(department_id=department.id, limit=limit)
    for module in org["modules"]:
        assert_same(module_id=module.id, limit=limit)
    assert_same(department_id=org["sales"].id, module_id=org["modules"][0].id, limit=limit)
    assert_same(manager=org["boss"], limit=limit)
    assert_same(manager=org["boss"], module_id=org["modules"][1].id, limit=limit)


def _stored() -> list[tuple]:
    people = db.session.execute(select(CompliancePerson.user_id, CompliancePerson.department_id,
                                       CompliancePerson.manager_id, CompliancePerson.name_key,
                                       CompliancePerson.policy_ok).order_by(CompliancePerson.user_id)).all()
    rows = db.session.execute(select(TrainingStanding.user_id, TrainingStanding.module_id,
                                     TrainingStanding.department_id, TrainingStanding.manager_id,
                                     TrainingStanding.name_key, TrainingStanding.due_on, TrainingStanding.expires_at,
                                     TrainingStanding.never_expires, TrainingStanding.attempted)
                              .order_by(TrainingStanding.user_id, TrainingStanding.module_id)).all()
    return [tuple(r) for r in people] + [tuple(r) for r in rows]


def assert_rebuild_changes_nothing():
    """What the hooks kept current equals a rebuild from scratch."""
    kept = _stored()
    services.rebuild_standings()
    assert _stored() == kept


def _company():
    """Departments, managers, roles, inactive people, new joiners; modules for everyone, for a
    department, for roles, with a fixed date and never expiring; two policy versions."""
    sales, hr, ops = (DepartmentFactory(name=n) for n in ("Sales", "HR", "Ops"))
    admin = UserFactory(name="Astrid Admin", email="astrid@example.com", is_admin=True, department=ops,
                        start_date=date(2019, 5, 1))
    boss = UserFactory(name="Bo Boss", department=sales, start_date=date(2020, 1, 1))
    people = [UserFactory(name=f"{first} {n:02d}", department=dept, manager_id=boss.id if n % 3 == 0 else None,
                          start_date=date(2026, 12, 1 + n % 20) if n % 7 else date(2027, 6, 1),
                          is_social=n % 5 == 0, is_decision_maker=n == 4)
              for n, (first, dept) in enumerate(zip(["ann", "Ben", "carl", "Dora", "eve", "Finn"] * 4,
                                                    [sales, hr, ops, sales, None, hr] * 4, strict=True))]
    UserFactory(name="Ina Inactive", department=sales, active=False, start_date=date(2020, 1, 1))
    essentials = make_module("essentials", title="Essentials", due_days=14, assigned_on=date(2027, 1, 1),
                             position=1)
    selling = make_module("selling", title="Selling", audience={"departments": ["sales"]}, due_days=30,
                          assigned_on=date(2027, 1, 1), position=2)
    leaders = make_module("leaders", title="Leaders", audience={"roles": ["manager", "social"]},
                          due_date=date(2027, 2, 15), position=3)
    forever = make_module("forever", title="Forever", recertify_months=0, due_days=60,
                          assigned_on=date(2027, 1, 1), position=4)
    v1 = publish_version("1.0")
    return {"sales": sales, "hr": hr, "ops": ops, "admin": admin, "boss": boss, "people": people, "v1": v1,
            "modules": [essentials, selling, leaders, forever]}


def test_stored_figures_equal_the_full_computation_as_days_pass_and_data_changes(app):
    with time_machine.travel("2027-01-10 09:00:00+00:00", tick=False) as clock:
        org = _company()
        people, (essentials, selling, leaders, forever) = org["people"], org["modules"]
        for n, person in enumerate(people):
            if n % 2:
                acknowledge(person, org["v1"])
            if n % 3 == 1:
                pass_module(person, essentials)
            if n % 4 == 0:
                pass_module(person, forever)
            if n % 5 == 2:
                _fail(person, selling)
        pass_module(org["boss"], leaders)
        assert_all_scopes(org)
        assert_rebuild_changes_nothing()

        clock.move_to("2027-03-01 09:00:00+00:00")          # due dates pass: overdue without any job
        for person in people[:6]:
            pass_module(person, selling)
        assert_all_scopes(org)
        assert_all_scopes(org, limit=3)

        clock.move_to("2028-01-20 09:00:00+00:00")          # completions of January 2027 expire
        v2 = publish_version("2.0", body="## Why\n\nRevised.\n")   # a material version asks everyone again
        publish_version("2.0", language="da", body="## Hvorfor\n\nTekst.\n")
        for person in people[::4]:
            acknowledge(person, v2)
        assert_all_scopes(org)
        assert_rebuild_changes_nothing()

        clock.move_to("2028-03-10 09:00:00+00:00")
        publish_version("2.1", change="minor", body="## Why\n\nSmall fix.\n")
        pass_module(people[1], essentials)                  # recertified
        actor = org["admin"]
        people_services.set_active(people[2], False, actor)
        people[3].department_id = org["hr"].id               # moves out of Sales: Selling no longer assigned
        people[4].manager_id = people[5].id                  # people[5] becomes a manager: Leaders assigned
        people[7].start_date = date(2028, 3, 1)
        db.session.commit()
        people_services.rename_department(org["ops"], "SALES-OPS", actor)
        services.save_assignment(selling, actor, {"departments": ["Sales", "sales-ops"], "roles": []}, None,
                                 date(2028, 3, 1))
        essentials.active = False
        db.session.commit()
        assert_rebuild_changes_nothing()
        assert_all_scopes(org)


def test_the_page_lists_at_most_the_limit_and_says_how_many_there_are(client, login, admin, monkeypatch):
    from app.training import routes

    monkeypatch.setattr(routes, "LIST_LIMIT", 2)
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False):
        make_module("essentials", title="Essentials", due_days=14, assigned_on=date(2027, 1, 1))
        for n in range(4):
            UserFactory(name=f"Late {n}", start_date=date(2020, 1, 1))
        login(admin)
        page = client.get("/compliance").get_data(as_text=True)
        assert page.count('data-testid="overdue-row"') == 2
        assert "Showing the first 2 of 5" in page
        everyone = client.get("/compliance?show=everyone").get_data(as_text=True)
        assert "Showing the first 2 of 5" in everyone.split('data-testid="people-list"')[1]
        assert 'data-testid="figures-as-of"' not in page


def test_large_scopes_reuse_their_rates_for_a_minute_and_say_so(client, login, admin, monkeypatch):
    monkeypatch.setattr(services, "SNAPSHOT_MIN_PEOPLE", 2)
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False) as clock:
        module = make_module("essentials", title="Essentials", due_days=14, assigned_on=date(2027, 1, 1))
        late = UserFactory(name="Late Lasse", start_date=date(2020, 1, 1))
        login(admin)
        page = client.get("/compliance").get_data(as_text=True)
        assert 'data-testid="figures-as-of"' in page and "0 of 2 people" in page
        pass_module(late, module)
        clock.shift(30)
        page = client.get("/compliance").get_data(as_text=True)
        assert "0 of 2 people" in page                      # the rates of half a minute ago
        assert "Late Lasse" not in page                     # the lists are current
        clock.shift(31)
        assert "1 of 2 people" in client.get("/compliance").get_data(as_text=True)


def test_rebuild_command_builds_standings_for_data_written_with_plain_sql(app):
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False):
        module = make_module("essentials", title="Essentials", due_days=14, assigned_on=date(2027, 1, 1))
        person = UserFactory(name="Pia Plain", start_date=date(2020, 1, 1))
        db.session.execute(TrainingStanding.__table__.delete())
        db.session.execute(CompliancePerson.__table__.delete())
        db.session.commit()
        assert services.compliance_overview().acknowledged.total == 0
        result = app.test_cli_runner().invoke(args=["training", "rebuild-standings"])
        assert result.exit_code == 0, result.output
        assert "1 people and 1 module standings rebuilt" in result.output
        overview = services.compliance_overview()
        assert overview.acknowledged.total == 1 and [o.name for o in overview.overdue] == ["Pia Plain"]
        assert db.session.get(TrainingStanding, (person.id, module.id)).due_on == date(2027, 1, 15)


def test_policy_cutoff_rule_matches_the_policy_feature(app):
    from app.policy.services import policies

    publish_version("1.0")
    publish_version("1.0", language="da", body="## Hvorfor\n\nTekst.\n")
    publish_version("1.1", change="minor", body="## Why\n\nFix.\n")
    publish_version("2.0", body="## Why\n\nNew.\n")
    publish_version("2.1", change="minor", body="## Why\n\nNewer.\n")
    publish_version("1.0", slug="other-policy", title="Other")
    expected = [[v.id for v in info.versions if v.key >= info.cutoff] for info in policies()]
    assert sorted(standings.counting_versions(db.session.connection())) == sorted(expected)
