"""The site's settings plus one plain Django page (bench/plain/), the yardstick that the load
benchmark measures the site's pages against in the same server. Never used in production."""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]},
    *TEMPLATES[1:],
]
