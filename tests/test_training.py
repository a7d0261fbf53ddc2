"""Training: due dates, audiences, expiry, quizzes scored on the server, tampering, certificates,
clearance to share, content sync and assignments."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.training import services
from app.training.models import Completion, QuizAttempt, TrainingModule
from tests.factories import DepartmentFactory, UserFactory
from tests.policy_factories import answers_for, form_for, make_module, pass_module, publish_version

REPO_TRAINING = Path(__file__).resolve().parent.parent / "policies" / "training"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- dates and expiry

def test_add_months_clamps_to_the_end_of_the_month():
    assert services.add_months(datetime(2027, 1, 31, tzinfo=UTC), 1) == datetime(2027, 2, 28, tzinfo=UTC)
    assert services.add_months(datetime(2028, 1, 31, tzinfo=UTC), 1) == datetime(2028, 2, 29, tzinfo=UTC)
    assert services.add_months(datetime(2027, 11, 15, tzinfo=UTC), 14) == datetime(2029, 1, 15, tzinfo=UTC)


def test_a_pass_expires_after_the_recertification_period(employee):
    with time_machine.travel("2027-01-10 12:00:00+00:00", tick=False):
        module = make_module(recertify_months=12)
        completion = pass_module(employee, module)
        assert completion.expires_at == datetime(2028, 1, 10, 12, 0, tzinfo=UTC)
        [state] = services.module_states(employee)
        assert state.valid and state.status == services.PASSED
    with time_machine.travel("2028-01-03 12:00:00+00:00", tick=False):
        [state] = services.module_states(employee)
        assert state.valid and state.due_soon and not state.overdue
    with time_machine.travel("2028-01-10 12:00:01+00:00", tick=False):
        [state] = services.module_states(employee)
        assert not state.valid and state.status == services.EXPIRED
        assert state.due == date(2028, 1, 10)
    with time_machine.travel("2028-01-12 08:00:00+00:00", tick=False):
        [state] = services.module_states(employee)
        assert state.overdue and state.days_overdue == 2
        assert not services.sharing_clearance(employee).cleared


def test_recertify_zero_means_a_pass_never_expires(employee):
    with time_machine.travel("2027-01-10 12:00:00+00:00", tick=False):
        module = make_module(recertify_months=0)
        assert pass_module(employee, module).expires_at is None
    with time_machine.travel("2040-01-10 12:00:00+00:00", tick=False):
        [state] = services.module_states(employee)
        assert state.valid and state.due is None


def test_due_date_is_n_days_after_the_start_date_or_assignment(db):
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False):
        module = make_module(due_days=14, assigned_on=date(2027, 1, 1))
        newcomer = UserFactory(start_date=date(2027, 2, 20))
        veteran = UserFactory(start_date=date(2019, 5, 1))
        unknown = UserFactory(start_date=None)
        assert services.due_date(module, newcomer.start_date) == date(2027, 3, 6)
        assert services.due_date(module, veteran.start_date) == date(2027, 1, 15)
        assert services.due_date(module, unknown.start_date) == date(2027, 1, 15)
        [state] = services.module_states(newcomer)
        assert state.due == date(2027, 3, 6) and not state.overdue and state.due_soon
        [state] = services.module_states(veteran)
        assert state.overdue and state.days_overdue == 45


def test_a_fixed_due_date_wins(db):
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False):
        make_module(due_days=None, due_date=date(2027, 6, 30))
        person = UserFactory(start_date=date(2027, 2, 20))
        [state] = services.module_states(person)
        assert state.due == date(2027, 6, 30) and not state.due_soon
    with time_machine.travel("2027-07-01 09:00:00+00:00", tick=False):
        assert services.module_states(person)[0].overdue


def test_audiences_everyone_departments_and_roles(db):
    sales = DepartmentFactory(name="Sales")
    it = DepartmentFactory(name="IT")
    make_module("all", audience={"everyone": True}, position=1)
    make_module("sales", audience={"departments": ["sales"], "roles": []}, position=2)
    make_module("social", audience={"departments": [], "roles": ["social"]}, position=3)
    make_module("managers", audience={"departments": [], "roles": ["manager"]}, position=4)
    seller = UserFactory(department=sales)
    techie = UserFactory(department=it, is_social=True)
    boss = UserFactory(department=it)
    UserFactory(manager_id=boss.id)

    def slugs(user):
        return [s.module.slug for s in services.module_states(user)]

    assert slugs(seller) == ["all", "sales"]
    assert slugs(techie) == ["all", "social"]
    assert slugs(boss) == ["all", "managers"]
    assert services.audience_matches({"departments": ["Sales"]}, "SALES", set())
    assert not services.audience_matches({"departments": ["Sales"]}, None, {"employee"})


# ---------------------------------------------------------------- quizzes

def test_attempt_shuffles_and_stores_the_order_and_scoring_is_on_the_server(employee):
    module = make_module(questions=6, pass_mark=80)
    orders = set()
    for _ in range(6):
        attempt = services.start_attempt(employee, module)
        orders.add(tuple(q["id"] for q in attempt.questions))
        answers = answers_for(attempt, right=False)
        assert services.submit_attempt(attempt, employee, answers) is None
        assert attempt.score == 0 and attempt.passed is False and attempt.answers == answers
    assert len(orders) > 1  # 6 questions: the same order six times would be a 1 in 10^14 event
    attempt = services.start_attempt(employee, module)
    answers = answers_for(attempt)
    first = attempt.questions[0]["token"]
    answers[first] = [o["token"] for o in attempt.questions[0]["options"] if not o["correct"]][:1]
    assert services.submit_attempt(attempt, employee, answers) is not None  # 5 of 6 = 83% >= 80%
    assert attempt.score == 83 and attempt.passed
    assert _count(QuizAttempt) == 7 and _count(Completion) == 1


def test_multiple_choice_needs_exactly_the_right_options(employee):
    module = make_module(questions=2, pass_mark=100)
    attempt = services.start_attempt(employee, module)
    answers = answers_for(attempt)
    multi = next(q for q in attempt.questions if q["kind"] == "multiple")
    answers[multi["token"]] = [o["token"] for o in multi["options"] if o["correct"]][:1]
    services.submit_attempt(attempt, employee, answers)
    assert attempt.score == 50 and not attempt.passed


def test_an_open_attempt_is_reused_not_piled_up(employee):
    module = make_module()
    assert services.start_attempt(employee, module).id == services.start_attempt(employee, module).id


@pytest.fixture
def quiz_setup(client, login, employee):
    module = make_module(questions=3)
    login(employee)
    response = client.post(f"/training/{module.slug}/quiz")
    assert response.status_code == 302
    attempt = db.session.scalar(select(QuizAttempt))
    return module, attempt


def test_the_quiz_page_sends_no_answers_or_explanations(client, quiz_setup):
    module, attempt = quiz_setup
    html = client.get(f"/training/attempts/{attempt.id}").get_data(as_text=True)
    assert "Single question 1?" in html and "Right 1" in html
    assert "Yes 1." not in html and "No 1." not in html
    assert "correct" not in html.lower().replace("correct the marked", "")
    for question in attempt.questions:
        assert f'name="q-{question["token"]}"' in html
        assert question["id"] not in re.findall(r'name="([^"]+)"', html)


def test_failing_then_passing_through_the_real_form(client, quiz_setup, employee):
    module, attempt = quiz_setup
    failed = client.post(f"/training/attempts/{attempt.id}", data=form_for(attempt, right=False),
                         follow_redirects=True)
    text = failed.get_data(as_text=True)
    assert "You scored 0%; the pass mark is 80%" in text
    assert "No 1." in text  # explanations after submission
    assert _count(Completion) == 0
    client.post(f"/training/{module.slug}/quiz")
    second = db.session.scalar(select(QuizAttempt).where(QuizAttempt.id != attempt.id))
    passed = client.post(f"/training/attempts/{second.id}", data=form_for(second), follow_redirects=True)
    assert "You passed with 100%" in passed.get_data(as_text=True)
    completion = db.session.scalar(select(Completion))
    assert completion.user_id == employee.id and completion.score == 100
    history = client.get(f"/training/{module.slug}").get_data(as_text=True)
    assert history.count('data-testid="attempt-row"') == 2


def _unchanged(attempt_id: int) -> None:
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.submitted_at is None and attempt.answers is None and attempt.score is None
    assert _count(Completion) == 0


def test_unknown_question_ids_are_refused(client, quiz_setup):
    _module, attempt = quiz_setup
    data = form_for(attempt)
    data["q-forged"] = ["x"]
    response = client.post(f"/training/attempts/{attempt.id}", data=data)
    assert response.status_code == 400
    assert "unknown question" in response.get_data(as_text=True)
    _unchanged(attempt.id)


def test_an_option_of_another_question_is_refused(client, quiz_setup):
    _module, attempt = quiz_setup
    data = form_for(attempt)
    first, second = attempt.questions[0], attempt.questions[1]
    data[f"q-{first['token']}"] = [second["options"][0]["token"]]
    response = client.post(f"/training/attempts/{attempt.id}", data=data)
    assert response.status_code == 400
    assert "does not belong to its question" in response.get_data(as_text=True)
    _unchanged(attempt.id)


def test_answers_from_another_attempt_are_refused(client, quiz_setup, employee):
    module, attempt = quiz_setup
    client.post(f"/training/attempts/{attempt.id}", data=form_for(attempt, right=False))
    client.post(f"/training/{module.slug}/quiz")
    new = db.session.scalar(select(QuizAttempt).where(QuizAttempt.id != attempt.id))
    response = client.post(f"/training/attempts/{new.id}", data=form_for(attempt))
    assert response.status_code == 400
    _unchanged(new.id)


def test_missing_answers_are_refused_and_the_choices_kept(client, quiz_setup):
    _module, attempt = quiz_setup
    data = form_for(attempt)
    dropped = attempt.questions[-1]["token"]
    kept = attempt.questions[0]
    del data[f"q-{dropped}"]
    response = client.post(f"/training/attempts/{attempt.id}", data=data)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please answer every question" in text and "Answer this question." in text
    kept_choice = data["q-" + kept["token"]][0]
    assert re.search(rf'value="{re.escape(kept_choice)}" checked', text)
    _unchanged(attempt.id)


def test_two_options_for_a_single_choice_question_are_refused(client, quiz_setup):
    _module, attempt = quiz_setup
    data = form_for(attempt)
    single = next(q for q in attempt.questions if q["kind"] == "single")
    data[f"q-{single['token']}"] = [o["token"] for o in single["options"]][:2]
    assert client.post(f"/training/attempts/{attempt.id}", data=data).status_code == 400
    _unchanged(attempt.id)


def test_a_finished_attempt_cannot_be_submitted_again(client, quiz_setup):
    _module, attempt = quiz_setup
    client.post(f"/training/attempts/{attempt.id}", data=form_for(attempt, right=False))
    again = client.post(f"/training/attempts/{attempt.id}", data=form_for(attempt), follow_redirects=True)
    assert "already submitted" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).score == 0
    assert _count(Completion) == 0


def test_someone_elses_attempt_is_not_found(client, login, quiz_setup):
    _module, attempt = quiz_setup
    client.post("/logout")
    login(UserFactory())
    assert client.get(f"/training/attempts/{attempt.id}").status_code == 404
    assert client.post(f"/training/attempts/{attempt.id}", data=form_for(attempt)).status_code == 404
    _unchanged(attempt.id)


def test_lessons_are_the_sections_of_the_module(client, login, employee):
    from app.org.services import set_setting

    set_setting("organisation.name", "Nordlys A/S")
    module = make_module()
    login(employee)
    first = client.get(f"/training/{module.slug}/lessons/1").get_data(as_text=True)
    assert "First lesson" in first and "Hello Nordlys A/S." in first and "Next lesson" in first
    last = client.get(f"/training/{module.slug}/lessons/2").get_data(as_text=True)
    assert "Take the quiz" in last
    assert client.get(f"/training/{module.slug}/lessons/3").status_code == 404


def test_script_in_a_lesson_never_executes(client, login, employee):
    module = make_module()
    module.body = ("## Lesson\n\n<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n"
                   "[x](javascript:alert(3))\n")
    db.session.commit()
    login(employee)
    html = client.get(f"/training/{module.slug}/lessons/1").get_data(as_text=True).lower()
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html


# ---------------------------------------------------------------- certificates

def test_certificate_and_public_verification(client, login, employee, app):
    with time_machine.travel("2027-01-10 12:00:00+00:00", tick=False):
        module = make_module(title="Crises", recertify_months=12)
        completion = pass_module(employee, module)
        code = completion.certificate_code
        assert re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){4}[A-HJ-NP-Z2-9]{4}", code)
        login(employee)
        cert = client.get(f"/training/certificates/{completion.id}").get_data(as_text=True)
        assert code in cert and "Emma Employee" in cert and f"/verify/{code}" in cert
        client.post("/logout")
        public = client.get(f"/verify/{code}")
        text = public.get_data(as_text=True)
        assert public.status_code == 200
        assert "This certificate is valid." in text and "Emma Employee" in text and "Crises" in text
        assert "January 10, 2027" in text
        assert employee.email not in text and "100" not in text.split('data-testid="verify-result"')[1]
    with time_machine.travel("2028-02-01 12:00:00+00:00", tick=False):
        assert "This certificate has expired." in client.get(f"/verify/{code}").get_data(as_text=True)
        assert client.get(f"/verify/{code.lower()}").status_code == 200
    assert client.get("/verify/not-a-real-code").status_code == 404


def test_only_the_owner_or_an_admin_opens_a_certificate(client, login, employee, admin):
    completion = pass_module(employee, make_module())
    login(UserFactory())
    assert client.get(f"/training/certificates/{completion.id}").status_code == 404
    client.post("/logout")
    login(admin)
    assert client.get(f"/training/certificates/{completion.id}").status_code == 200


# ---------------------------------------------------------------- cleared to share

def test_sharing_clearance_needs_the_policy_and_every_assigned_module(employee):
    from app.policy.services import acknowledge

    sales = DepartmentFactory(name="Sales")
    essentials = make_module("essentials", position=1)
    make_module("sales-only", audience={"departments": ["Sales"]}, position=2)
    version = publish_version("1.0")
    clearance = services.sharing_clearance(employee)
    assert not clearance.cleared
    assert [gap.url for gap in clearance.missing] == ["/policy/", "/training/essentials"]
    acknowledge(employee, version)
    pass_module(employee, essentials)
    assert services.sharing_clearance(employee) == services.Clearance(True, [])
    employee.department = sales
    db.session.commit()
    clearance = services.sharing_clearance(employee)
    assert not clearance.cleared and clearance.missing[0].url == "/training/sales-only"
    assert "Pass the training module" in clearance.missing[0].label


def test_sharing_clearance_is_cheap(employee, count_queries):
    publish_version("1.0")
    for n in range(8):
        make_module(f"m{n}", position=n)
    db.session.refresh(employee)
    with count_queries() as few:
        services.sharing_clearance(employee)
    for n in range(8, 30):
        make_module(f"m{n}", position=n)
    for n in range(3):
        publish_version(f"2.{n}", "minor", f"## Text\n\nVersion {n}\n")
    from app.policy.services import _forget_cache

    _forget_cache()
    db.session.refresh(employee)
    with count_queries() as many:
        services.sharing_clearance(employee)
    assert few.count == many.count <= 5, many.statements


def test_home_shows_the_cleared_to_share_checklist(client, login, employee):
    from app.policy.services import acknowledge

    module = make_module(title="Essentials")
    version = publish_version("1.0")
    login(employee)
    home = client.get("/").get_data(as_text=True)
    assert "Before you can share: your checklist" in home
    assert "Acknowledge the Social media policy" in home and "Training: Essentials" in home
    acknowledge(employee, version)
    pass_module(employee, module)
    home = client.get("/").get_data(as_text=True)
    assert "You are cleared to share" in home


def test_training_list_shows_each_state(client, login, employee):
    with time_machine.travel("2027-03-01 09:00:00+00:00", tick=False):
        employee.start_date = date(2027, 2, 25)
        db.session.commit()
        passed = make_module("passed-one", title="Passed one", position=1)
        started = make_module("started-one", title="Started one", position=2)
        make_module("fresh-one", title="Fresh one", position=3)
        make_module("late-one", title="Late one", position=4, due_days=None, due_date=date(2027, 2, 1))
        make_module("other", title="Optional", audience={"roles": ["admin"]}, position=5)
        pass_module(employee, passed)
        services.start_attempt(employee, started)
        login(employee)
        html = client.get("/training/").get_data(as_text=True)
    assert "Passed · expires on Mar 1, 2028" in html
    assert "In progress · due Mar 15, 2027" in html
    assert "Not started · due Mar 15, 2027" in html
    assert "Overdue since Feb 1, 2027" in html
    assert "Other modules you may take" in html and "Optional" in html


# ---------------------------------------------------------------- content sync and assignment

def test_sync_imports_the_four_modules_and_is_idempotent(app):
    lines: list[str] = []
    assert services.import_modules(lines.append, REPO_TRAINING)["created"] == 4
    modules = {m.slug: m for m in db.session.scalars(select(TrainingModule))}
    assert set(modules) == {"policy-essentials", "customers-and-complaints", "crises-and-confidential-information",
                            "professional-profile"}
    for module in modules.values():
        assert len(module.quiz) >= 6 and len(services.lessons(module)) >= 3
        assert all(o["explanation"] for q in module.quiz for o in q["options"])
    assert modules["customers-and-complaints"].audience == {
        "departments": ["Customer Service", "Sales", "Product Marketing"], "roles": []}
    assert modules["professional-profile"].recertify_months == 24 and modules["professional-profile"].due_days == 30
    lines.clear()
    assert services.import_modules(lines.append, REPO_TRAINING) == {"created": 0, "updated": 0, "unchanged": 4,
                                                                     "errors": 0}
    assert lines == ["training: nothing changed (4 unchanged)"]


QUIZ_OK = """quiz:
  - id: q1
    kind: single
    text: Q?
    options:
      - {id: a, text: Sure, correct: true, explanation: Right}
      - {id: b, text: Nope, correct: false, explanation: Wrong}"""


def _module_file(path: Path, extra: str = "", quiz: str = QUIZ_OK, body: str = "## Lesson\n\nText.\n") -> Path:
    path.write_text(f"---\nslug: {path.stem.split('.')[0]}\ntitle: T\n{extra}\n{quiz}\n---\n{body}",
                    encoding="utf-8")
    return path


def test_malformed_module_files_are_reported_and_import_nothing(tmp_path):
    _module_file(tmp_path / "good.en.md")
    _module_file(tmp_path / "two-right.en.md", quiz=QUIZ_OK.replace("correct: false", "correct: true"))
    _module_file(tmp_path / "no-lessons.en.md", body="Just text.\n")
    _module_file(tmp_path / "bad-audience.en.md", extra="audience: {teams: [x]}")
    _module_file(tmp_path / "bad-mark.en.md", extra="pass_mark: 180")
    _module_file(tmp_path / "bad-role.en.md", extra="audience: {roles: [pilot]}")
    _module_file(tmp_path / "norway.en.md", quiz=QUIZ_OK.replace("text: Nope", "text: No"))
    lines: list[str] = []
    counts = services.import_modules(lines.append, tmp_path)
    assert counts["created"] == 1 and counts["errors"] == 6
    text = "\n".join(lines)
    assert "two-right.en.md: quiz question 1 (q1): a single-choice question needs exactly one correct option" in text
    assert "no-lessons.en.md: the module has no lessons" in text
    assert "bad-audience.en.md: audience must be" in text
    assert "bad-mark.en.md: pass_mark must be a whole number from 1 to 100" in text
    assert "bad-role.en.md: audience roles must be a list of" in text
    assert "norway.en.md: quiz question 1 (q1): option b needs a text (quote words such as yes" in text
    assert [m.slug for m in db.session.scalars(select(TrainingModule))] == ["good"]


def test_a_changed_module_file_updates_it_and_keeps_old_attempts(tmp_path, employee):
    path = _module_file(tmp_path / "mod.en.md")
    services.import_modules(lambda _t: None, tmp_path)
    module = services.get_module("mod")
    attempt = services.start_attempt(employee, module)
    _module_file(path, quiz=QUIZ_OK.replace("text: Q?", "text: New question?"))
    lines: list[str] = []
    assert services.import_modules(lines.append, tmp_path)["updated"] == 1
    assert lines == ["updated: training module mod"]
    db.session.refresh(module)
    assert module.quiz[0]["text"] == "New question?"
    assert attempt.questions[0]["text"] == "Q?"
    assert services.submit_attempt(attempt, employee, answers_for(attempt)) is not None


def test_admin_changes_the_assignment_and_sync_keeps_it(client, login, admin, tmp_path):
    sales = DepartmentFactory(name="Sales")
    path = _module_file(tmp_path / "mod.en.md", extra="due_days: 10")
    services.import_modules(lambda _t: None, tmp_path)
    module = services.get_module("mod")
    login(admin)
    assert "Everyone" in client.get("/training/admin/modules").get_data(as_text=True)
    bad = client.post(f"/training/admin/modules/{module.id}", data={"audience": "groups", "due_mode": "days",
                                                                      "due_days": "5"})
    assert "Choose at least one department or role" in bad.get_data(as_text=True)
    client.post(f"/training/admin/modules/{module.id}", data={
        "audience": "groups", "departments": [sales.name], "roles": ["manager"], "due_mode": "date",
        "due_date": "2027-06-30"})
    db.session.refresh(module)
    assert module.audience == {"departments": ["Sales"], "roles": ["manager"]}
    assert module.due_date == date(2027, 6, 30) and module.due_days is None
    _module_file(path, extra="due_days: 20", body="## Lesson\n\nChanged text.\n")
    services.import_modules(lambda _t: None, tmp_path)
    db.session.refresh(module)
    assert module.audience == {"departments": ["Sales"], "roles": ["manager"]}
    assert module.body.strip() == "## Lesson\n\nChanged text."


def test_employees_cannot_change_assignments(client, login, employee):
    module = make_module()
    login(employee)
    assert client.get(f"/training/admin/modules/{module.id}").status_code == 403
