from django.core.management.base import BaseCommand
from django.utils import timezone

from qicai.accounts import deactivate_idle_accounts, idle_days


class Command(BaseCommand):
    help = (
        "Deactivate accounts without a sign-in for QICAI_ACCOUNT_IDLE_DAYS days (never deletes; the last "
        "active superuser is kept). Run it daily (cron, a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would be deactivated; change nothing.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        days = idle_days()
        if not days:
            self.stdout.write("QICAI_ACCOUNT_IDLE_DAYS is 0: idle accounts are never deactivated.")
            return
        accounts = deactivate_idle_accounts(dry_run=dry_run)
        verb = "Would deactivate" if dry_run else "Deactivated"
        if verbosity:
            for account in accounts:
                user = account.user
                name = user.get_full_name() or "—"
                seen = timezone.localtime(account.last_seen).date().isoformat()
                never = "" if user.last_login else " (never signed in)"
                line = f"  {user.get_username():<16} {name:<10} last seen {seen}, {account.days} days{never}"
                self.stdout.write(line)
        summary = f"{verb} {len(accounts)} account(s) idle for more than {days} days."
        self.stdout.write(self.style.SUCCESS(summary) if accounts and not dry_run else summary)
