"""People and departments, and the HR import."""

from __future__ import annotations

import io

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEvent
from app.people.models import Department, PeopleImport, User
from tests.factories import DepartmentFactory, UserFactory


def test_email_is_unique_whatever_its_case_in_the_database(db, employee):
    db.session.add(User(email="EMMA@EXAMPLE.COM", name="Copy"))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("a second user with the same email in another case was stored")


def test_admin_lists_searches_and_paginates_people(client, login, admin, db):
    for n in range(30):
        UserFactory(name=f"Zed {n:02d}", email=f"zed{n}@example.com")
    login(admin)
    first = client.get("/people/?q=zed").get_data(as_text=True)
    assert "Zed 00" in first and "Zed 29" not in first
    assert "1–25 of 30" in first
    second = client.get("/people/?q=zed&page=2").get_data(as_text=True)
    assert "Zed 29" in second


def test_people_list_needs_a_constant_number_of_queries(client, login, admin, count_queries):
    login(admin)
    UserFactory()
    with count_queries() as few:
        client.get("/people/")
    for _ in range(20):
        UserFactory(department=DepartmentFactory())
    with count_queries() as many:
        client.get("/people/")
    assert many.count == few.count


def test_admin_creates_a_person_and_an_invitation_is_queued(client, login, admin, db, sent_emails, deliver_outbox):
    login(admin)
    response = client.post("/people/new", data={
        "email": "New.Person@Example.com", "name": "New Person", "department_id": 0, "manager_email": "",
        "language": "da", "send_invitation": "y",
    })
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.email == "new.person@example.com"))
    assert person.language == "da" and person.password_hash is None
    deliver_outbox()
    assert sent_emails[0]["To"] == "new.person@example.com"
    assert "/invitation/" in sent_emails[0].get_body(preferencelist=("plain",)).get_content()


def test_bad_input_gets_a_message_next_to_the_field_and_changes_nothing(client, login, admin, db):
    login(admin)
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post("/people/new", data={"email": "not-an-email", "name": "x" * 121, "language": "en",
                                                "department_id": 0, "manager_email": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a valid email address" in html
    assert "Field cannot be longer than 120 characters" in html
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_an_email_already_taken_is_refused(client, login, admin, employee):
    login(admin)
    response = client.post("/people/new", data={"email": "EMMA@example.com", "name": "Another Emma",
                                                "language": "en", "department_id": 0, "manager_email": ""})
    assert "Someone else already has this email address." in response.get_data(as_text=True)


def test_role_change_is_audited(client, login, admin, employee, db):
    login(admin)
    client.post(f"/people/{employee.id}/edit", data={"email": employee.email, "name": employee.name,
                                                     "language": "en", "department_id": 0, "manager_email": "",
                                                     "is_social": "y"})
    db.session.refresh(employee)
    assert employee.is_social
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "people.roles_changed"))
    assert '"after": ["employee", "social"]' in event.details


def test_deactivate_and_reactivate(client, login, admin, employee, db):
    login(admin)
    client.post(f"/people/{employee.id}/deactivate")
    db.session.refresh(employee)
    assert not employee.active
    client.post(f"/people/{employee.id}/reactivate")
    db.session.refresh(employee)
    assert employee.active
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"people.deactivated", "people.reactivated"} <= actions


def test_admin_cannot_deactivate_themselves(client, login, admin, db):
    login(admin)
    client.post(f"/people/{admin.id}/deactivate")
    db.session.refresh(admin)
    assert admin.active


def test_manager_loops_are_refused(client, login, admin, db):
    boss = UserFactory()
    report = UserFactory(manager_id=boss.id)
    login(admin)
    response = client.post(f"/people/{boss.id}/edit", data={"email": boss.email, "name": boss.name,
                                                            "language": "en", "department_id": 0,
                                                            "manager_email": report.email})
    assert "reports to this person" in response.get_data(as_text=True)


def test_the_manager_is_named_by_email_and_unknown_or_own_emails_are_refused(client, login, admin, db):
    boss = UserFactory(email="boss@example.com")
    gone = UserFactory(email="gone@example.com", active=False)
    person = UserFactory(email="person@example.com")
    login(admin)
    form = {"email": person.email, "name": person.name, "language": "en", "department_id": 0}
    page = client.get(f"/people/{person.id}/edit").get_data(as_text=True)
    assert 'name="manager_email"' in page and "<option" not in page.split('name="manager_email"')[1][:200]
    for email, message in (("nobody@example.com", "Nobody active has this email address."),
                           (gone.email, "Nobody active has this email address."),
                           ("PERSON@example.com", "A person cannot be their own manager.")):
        response = client.post(f"/people/{person.id}/edit", data={**form, "manager_email": email})
        assert response.status_code == 200 and message in response.get_data(as_text=True)
        db.session.refresh(person)
        assert person.manager_id is None
    response = client.post(f"/people/{person.id}/edit", data={**form, "manager_email": " Boss@Example.com "})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.manager_id == boss.id
    assert 'value="boss@example.com"' in client.get(f"/people/{person.id}/edit").get_data(as_text=True)
    client.post(f"/people/{person.id}/edit", data={**form, "manager_email": ""})
    db.session.refresh(person)
    assert person.manager_id is None


def test_departments_are_added_renamed_and_deleted_only_when_empty(client, login, admin, db):
    login(admin)
    client.post("/people/departments", data={"name": "Legal"})
    legal = db.session.scalar(select(Department).where(Department.name == "Legal"))
    duplicate = client.post("/people/departments", data={"name": "legal"})
    assert "exists already" in duplicate.get_data(as_text=True)
    client.post(f"/people/departments/{legal.id}", data={"name": "Legal & Compliance"})
    db.session.refresh(legal)
    assert legal.name == "Legal & Compliance"
    UserFactory(department=legal)
    client.post(f"/people/departments/{legal.id}/delete")
    assert db.session.get(Department, legal.id) is not None


# ---------------------------------------------------------------- import

HEADER = "email,name,department,manager_email,language,start_date,roles\n"


def _upload(client, text: str | bytes, filename="people.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/people/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _apply(client, response, **extra):
    return client.post(response.headers["Location"], data=extra)


def test_import_preview_then_apply_creates_people_with_managers_and_departments(client, login, admin, db):
    login(admin)
    csv_text = HEADER + (
        "boss@example.com,Bo Boss,Sales,,sv,2020-01-01,employee;decision_maker\n"
        "ann@example.com,Ann Andersen,Sales,boss@example.com,da,2026-11-01,social\n"
    )
    uploaded = _upload(client, csv_text)
    preview = client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "2 to add, 0 to update, 0 unchanged, 0 with errors" in preview
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "ann@example.com")) == 0
    _apply(client, uploaded)
    ann = db.session.scalar(select(User).where(User.email == "ann@example.com"))
    assert ann.manager.email == "boss@example.com" and ann.department.name == "Sales" and ann.is_social
    assert ann.manager.is_decision_maker
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "people.imported")) is not None


def test_reimporting_the_same_file_is_idempotent_and_updates_by_email(client, login, admin, db):
    login(admin)
    csv_text = HEADER + "ann@example.com,Ann Andersen,Sales,,da,,\n"
    _apply(client, _upload(client, csv_text))
    second = _upload(client, csv_text)
    assert "0 to add, 0 to update, 1 unchanged" in client.get(second.headers["Location"]).get_data(as_text=True)
    _apply(client, second)
    third = _upload(client, HEADER + "ANN@example.com,Ann Holm,Sales,,da,,\n")
    _apply(client, third)
    people = db.session.scalars(select(User).where(func.lower(User.email) == "ann@example.com")).all()
    assert len(people) == 1 and people[0].name == "Ann Holm"


def test_applying_one_upload_twice_changes_nothing_the_second_time(client, login, admin, db):
    login(admin)
    uploaded = _upload(client, HEADER + "ann@example.com,Ann,Sales,,en,,\n")
    _apply(client, uploaded)
    upload = db.session.scalar(select(PeopleImport))
    applied_at = upload.applied_at
    again = _apply(client, uploaded)
    assert again.status_code == 302
    db.session.refresh(upload)
    assert upload.applied_at == applied_at


def test_a_file_with_errors_lists_every_problem_and_applies_nothing(client, login, admin, db):
    login(admin)
    csv_text = HEADER + (
        "good@example.com,Good Person,Sales,,en,,\n"
        "not-an-email,Bad Email,Sales,,en,,\n"
        "orphan@example.com,Orphan,Sales,ghost@example.com,en,,\n"
        "good@example.com,Good Again,Sales,,en,,\n"
        "date@example.com,Bad Date,Sales,,en,31/12/2026,\n"
        "lang@example.com,Bad Lang,Sales,,klingon,,\n"
    )
    uploaded = _upload(client, csv_text)
    preview = client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "bad email" in preview
    assert "unknown manager “ghost@example.com”" in preview
    assert "duplicate row: good@example.com is also on line 2" in preview
    assert "is not a date" in preview and "unknown language" in preview
    response = _apply(client, uploaded)
    assert "nothing was changed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "good@example.com")) == 0


def test_a_file_that_is_not_utf8_is_refused_with_a_message(client, login, admin, db):
    login(admin)
    response = _upload(client, (HEADER + "jørgen@example.com,Jørgen,Sales,,da,,\n").encode("latin-1"))
    assert response.status_code == 200
    assert "not UTF-8" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PeopleImport)) == 0


def test_a_file_with_missing_columns_is_refused(client, login, admin):
    login(admin)
    uploaded = _upload(client, "mail,fullname\nann@example.com,Ann\n")
    preview = client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "missing column(s): email, name" in preview
    assert "Apply the import" not in preview


def test_import_can_send_invitations_to_new_people(client, login, admin, sent_emails, deliver_outbox):
    login(admin)
    _apply(client, _upload(client, HEADER + "ann@example.com,Ann,Sales,,en,,\n"), invite_new="y")
    deliver_outbox()
    assert [m["To"] for m in sent_emails] == ["ann@example.com"]


def test_import_preview_needs_a_constant_number_of_queries(client, login, admin, db, count_queries):
    boss = UserFactory(email="boss@example.com")
    people = [UserFactory(email=f"p{n}@example.com", name=f"P {n}", manager_id=boss.id) for n in range(20)]
    login(admin)
    rows = "".join(f"{p.email},{p.name},,boss@example.com,en,,\n" for p in people[:2])
    few = _upload(client, HEADER + rows)
    with count_queries() as small:
        client.get(few.headers["Location"])
    rows = "".join(f"{p.email},{p.name},,boss@example.com,en,,\n" for p in people)
    many = _upload(client, HEADER + rows)
    with count_queries() as large:
        page = client.get(many.headers["Location"]).get_data(as_text=True)
    assert "0 to add, 0 to update, 20 unchanged" in page
    assert large.count == small.count
