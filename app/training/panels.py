"""The employee home's cleared-to-share checklist."""

from __future__ import annotations


def checklist(user) -> dict:
    from app.policy.services import policy_statuses
    from app.training.services import module_states

    policies = policy_statuses(user)
    modules = module_states(user)
    cleared = all(s.satisfied for s in policies) and all(s.valid for s in modules)
    return {"policies": policies, "modules": modules, "cleared": cleared}
