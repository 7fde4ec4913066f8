"""Service figures per project (target vs actual, enrolments, activities, hours), from SQL aggregates.

Used by the project page and available to the dashboard and reports. No personal data:
counts and sums only.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from projects.models import Activity, ActivityStaff, ActivityVolunteer, Enrollment, Project


@dataclass
class ServiceStats:
    target_beneficiaries: int
    people_served: int
    enrollments: int
    open_enrollments: int
    follow_ups: int
    activities_by_type: dict = field(default_factory=dict)
    participants: int = 0
    volunteer_hours: Decimal = Decimal("0")
    social_worker_hours: Decimal = Decimal("0")

    @property
    def activities(self) -> int:
        return sum(self.activities_by_type.values())

    @property
    def target_reached_percent(self) -> int | None:
        if not self.target_beneficiaries:
            return None
        return round(100 * self.people_served / self.target_beneficiaries)


def project_service_stats(project: Project) -> ServiceStats:
    enrollments = Enrollment.objects.filter(project=project).aggregate(
        people=Count("beneficiary", distinct=True),
        total=Count("pk", distinct=True),
        open=Count("pk", filter=Q(status=Enrollment.Status.OPEN), distinct=True),
        follow_ups=Count("follow_ups", distinct=True),
    )
    by_type = dict(Activity.objects.filter(project=project).values_list("type").annotate(n=Count("pk")).order_by())
    labels = dict(Activity.Type.choices)
    participants = Activity.objects.filter(project=project).aggregate(n=Sum("participants"))["n"] or 0
    volunteer_hours = ActivityVolunteer.objects.filter(activity__project=project).aggregate(h=Sum("hours"))["h"]
    staff_hours = ActivityStaff.objects.filter(activity__project=project).aggregate(h=Sum("hours"))["h"]
    return ServiceStats(
        target_beneficiaries=project.target_beneficiaries,
        people_served=enrollments["people"],
        enrollments=enrollments["total"],
        open_enrollments=enrollments["open"],
        follow_ups=enrollments["follow_ups"],
        activities_by_type={labels[key]: n for key, n in sorted(by_type.items())},
        participants=participants,
        volunteer_hours=Decimal(volunteer_hours or 0).quantize(Decimal("0.1")),
        social_worker_hours=Decimal(staff_hours or 0).quantize(Decimal("0.1")),
    )
