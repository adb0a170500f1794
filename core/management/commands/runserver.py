"""`runserver` that also runs the scheduled work on the embedded default, and gives e-mail
links the address it serves.

1. Without a broker there is no beat: the server process (the reloader's child, or the only
   process with --noreload) runs the beat schedule in a thread (core.scheduler), so due
   reminders, digests and gathered feedback go out with no other command.
2. Without `SITE_URL` in the environment, links in e-mails point at the address and port
   served here (`make run PORT=8110` gives links on 8110), not at the default 8000.
"""

import os

from django.conf import settings
from whitenoise.runserver_nostatic.management.commands.runserver import Command as Base

from core import scheduler


class Command(Base):
    help = Base.help + " On the embedded default it also runs the scheduled work."

    def run(self, **options):
        if "SITE_URL" not in os.environ:
            host = f"[{self.addr}]" if self._raw_ipv6 else self.addr
            if host in ("0", "0.0.0.0"):  # noqa: S104 (the address given to listen on)
                host = "127.0.0.1"
            site_url = f"{self.protocol}://{host}:{self.port}"
            # Inherited by the reloader's child, which reads the settings again.
            os.environ["SITE_URL"] = site_url
            settings.SITE_URL = site_url
        serving = not options["use_reloader"] or os.environ.get("RUN_MAIN") == "true"
        if serving and scheduler.wanted():
            scheduler.EmbeddedScheduler().start()
            self.stdout.write(
                "Scheduled work (reminders, digests, e-mail retries) runs in this process; "
                "set EMBEDDED_SCHEDULER=false to turn it off."
            )
        super().run(**options)
