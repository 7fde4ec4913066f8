"""No status is spelled as a bare string outside projects/states.py (and the migrations)."""

import ast
import re
from pathlib import Path

from projects import states
from projects.workflow import TRANSITIONS

ROOT = Path(__file__).resolve().parents[2]
APPS = ["projects", "awards", "qicai"]
STATUS_ENUMS = [
    states.RoundStatus,
    states.ProjectStatus,
    states.AgreementStatus,
    states.InstalmentStatus,
    states.EnrollmentStatus,
    states.EvaluationStatus,
    states.ScorecardStatus,
    states.NominationStatus,
    states.DocumentStatus,
]
# Values that only ever mean a status or a workflow action: any literal equal to one of them is a bare status.
DISTINCTIVE = {
    "submitted",
    "returned",
    "recommended",
    "rejected",
    "approved",
    "contracted",
    "in_progress",
    "midterm_evaluated",
    "completed",
    "archived",
    "terminated",
    "finalised",
    "preparing",
    "midterm_pass",
}
# Values that are also ordinary words or other choices ("open", "signed", "released" is a special group …):
# a literal is a bare status when it is compared with, or assigned to, a status or an action.
STATUS_CONTEXT = re.compile(
    r"""(status\w*|action)\s*(=|==|!=)\s*["'](\w+)["']"""
    r"""|(status__in|status\s+in|status\s+not\s+in)\s*=?\s*[\[\(\{]\s*["'](\w+)["']"""
)


def application_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "states.py":
                continue
            yield path


def bare_statuses(source: str) -> list[str]:
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in DISTINCTIVE:
            found.append(f"line {node.lineno}: {node.value!r}")
    values = {member.value for enum in STATUS_ENUMS for member in enum} | set(states.Action.values)
    for number, line in enumerate(source.splitlines(), start=1):
        for match in STATUS_CONTEXT.finditer(line):
            value = match.group(3) or match.group(5)
            if value in values:
                found.append(f"line {number}: {line.strip()}")
    return found


def test_no_bare_status_strings_outside_the_states_module():
    offenders = {}
    for path in application_files():
        found = bare_statuses(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert not offenders, offenders


def test_the_check_catches_a_bare_status():
    assert bare_statuses('Project.objects.filter(status="in_progress")')
    assert bare_statuses('if enrollment.status == "open":\n    pass')
    assert bare_statuses('queryset.filter(status__in=["open", "closed"])')
    assert not bare_statuses("Project.objects.filter(status=ProjectStatus.IN_PROGRESS)")


def test_every_transition_is_an_action_and_every_action_a_transition():
    assert set(TRANSITIONS) == set(states.Action)
    assert all(isinstance(action, states.Action) for action in TRANSITIONS)
