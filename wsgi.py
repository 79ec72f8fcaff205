"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import gc

from crm import create_app
from crm.territory import communes

app = create_app()
communes.load()  # France's communes (half a second), read once here rather than by the first request
# What starting made (modules, the app, the models' metadata, the solver) lives as long as the process:
# frozen out of the collector's full passes, each of which otherwise stops a request for about 150 ms
# once a page has loaded a few hundred rows (measured on the API's 200-row pages at national scale).
gc.collect()
gc.freeze()
