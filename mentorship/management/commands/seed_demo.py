from django.core.management.base import BaseCommand

from mentorship import demo


class Command(BaseCommand):
    help = "Create a demo program with an admin, mentors and mentees, and print their logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default="demo-mentoring-2026",
            help="Password for every demo login (default: %(default)s).",
        )

    def handle(self, *args, password, **options):
        logins = demo.seed(password=password)
        self.stdout.write("Demo logins (e-mail, password, role):")
        for email, pw, role in logins:
            self.stdout.write(f"{email} {pw} {role}")
