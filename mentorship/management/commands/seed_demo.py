from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mentorship import demo


class Command(BaseCommand):
    help = (
        "Create a demo program with an admin, mentors and mentees, and print their logins. "
        "With --scale N, also create N × (1,000 mentees, 200 mentors, 5,000 goals, ...) in bulk."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default="demo-mentoring-2026",
            help="Password for every demo login (default: %(default)s).",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Also create bulk data at this scale (1 = 1,000 mentees, 5,000 goals, ...).",
        )

    def handle(self, *args, password, scale, **options):
        if scale < 0:
            raise CommandError("--scale must be 0 or more")
        logins = demo.seed(password=password)
        self.stdout.write("Demo logins (e-mail, password, role):")
        for email, pw, role in logins:
            self.stdout.write(f"{email} {pw} {role}")
        if scale:
            from mentorship.demo_scale import seed_scale

            counts = seed_scale(scale=scale, password=password)
            if counts:
                # The planner's statistics still describe the tables before the load; until
                # autovacuum gets round to them, small lookups may be planned as scans.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            if not counts:
                self.stdout.write(f"Scale {scale} data is already there.")
            else:
                summary = ", ".join(f"{k} {v:,}" for k, v in counts.items() if k != "seconds")
                self.stdout.write(f"Scale {scale}: {summary} in {counts['seconds']} s")
                self.stdout.write(
                    f"Bulk logins use the same password, e.g. scale{scale}.p0.mentee0@example.com"
                )
