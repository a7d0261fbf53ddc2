"""Builders for policy and training tests: versions, modules and quizzes with known answers."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.policy import services as policy_services
from app.training import services as training_services
from app.training.models import TrainingModule

POLICY_BODY = """## Why we have this policy

In social media we are all a touchpoint at {{ organisation }}.

## What we encourage

Share approved content in your own voice.

## What is not allowed

Never share confidential information.
"""


def publish_version(label: str = "1.0", change: str = "material", body: str = POLICY_BODY, language: str = "en",
                    title: str = "Social media policy", slug: str = "social-media-policy", actor=None,
                    summary: str = ""):
    """Publish a policy version through the service, as the web editor does (commits)."""
    draft = policy_services.VersionDraft(slug, language, label, change, title, summary, body)
    if actor is None:
        version = policy_services._publish(draft, None, "file")
        db.session.commit()
        return version
    return policy_services.publish(draft, actor)


def quiz(questions: int = 3) -> list[dict]:
    """A quiz whose right answers are option "a" (single) or options "a" and "b" (multiple)."""
    items = []
    for n in range(1, questions + 1):
        if n % 2:
            items.append({"id": f"q{n}", "kind": "single", "text": f"Single question {n}?", "options": [
                {"id": "a", "text": f"Right {n}", "correct": True, "explanation": f"Yes {n}."},
                {"id": "b", "text": f"Wrong {n}", "correct": False, "explanation": f"No {n}."},
                {"id": "c", "text": f"Also wrong {n}", "correct": False, "explanation": f"No {n}."}]})
        else:
            items.append({"id": f"q{n}", "kind": "multiple", "text": f"Multiple question {n}?", "options": [
                {"id": "a", "text": f"Right A {n}", "correct": True, "explanation": "Yes."},
                {"id": "b", "text": f"Right B {n}", "correct": True, "explanation": "Yes."},
                {"id": "c", "text": f"Wrong C {n}", "correct": False, "explanation": "No."}]})
    return items


def make_module(slug: str = "essentials", title: str = "Essentials", audience: dict | None = None,
                due_days: int | None = 14, due_date: date | None = None, recertify_months: int = 12,
                pass_mark: int = 80, questions: int = 3, assigned_on: date | None = None,
                position: int = 0) -> TrainingModule:
    module = TrainingModule(slug=slug, title=title, summary=f"About {title}.", language="en",
                            body="## First lesson\n\nHello {{ organisation }}.\n\n## Second lesson\n\nMore.\n",
                            quiz=quiz(questions), position=position, pass_mark=pass_mark,
                            recertify_months=recertify_months, audience=audience or {"everyone": True},
                            due_days=due_days, due_date=due_date, assignment_from_file=True, active=True,
                            assigned_on=assigned_on or training_services.today(), content_hash=slug)
    db.session.add(module)
    db.session.commit()
    return module


def answers_for(attempt, right: bool = True) -> dict[str, list[str]]:
    """Answers for every question of an attempt: all right, or all wrong."""
    answers = {}
    for question in attempt.questions:
        good = [o["token"] for o in question["options"] if o["correct"]]
        bad = [o["token"] for o in question["options"] if not o["correct"]][:1]
        answers[question["token"]] = good if right else bad
    return answers


def form_for(attempt, right: bool = True) -> dict[str, list[str]]:
    """The POST data a browser would send for these answers."""
    return {f"q-{token}": options for token, options in answers_for(attempt, right).items()}


def pass_module(user, module):
    attempt = training_services.start_attempt(user, module)
    return training_services.submit_attempt(attempt, user, answers_for(attempt, True))


def clear(user, modules=()):
    """Make `user` cleared: acknowledge every current policy and pass `modules`."""
    for status in policy_services.policy_statuses(user):
        if not status.satisfied:
            policy_services.acknowledge(user, policy_services.get_version(status.current.id))
    for module in modules:
        pass_module(user, module)
