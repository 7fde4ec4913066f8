from django.conf import settings
from django.core.management.base import BaseCommand

from qicai.demo import USERS, DemoSeeder


class Command(BaseCommand):
    help = "Create the demo district, its 2012 and 2013 rounds and one user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database already has rounds.")

    def handle(self, *args, if_empty=False, verbosity=1, **options):
        from projects.models import Round

        if if_empty and Round.objects.exists():
            self.stdout.write("Database already has data; demo seed skipped.")
            return
        created = DemoSeeder(password=settings.QICAI_DEMO_PASSWORD).run()
        if verbosity == 0:
            return
        if created:
            summary = ", ".join(f"{label} {number}" for label, number in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {summary}"))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write("\nDemo accounts (password from QICAI_DEMO_PASSWORD, default qicai-demo-2013):")
        for user in USERS:
            role = user.role or "系统管理员"
            self.stdout.write(f"  {user.username:<12} {role:<8} {user.full_name} · {user.organization}")
