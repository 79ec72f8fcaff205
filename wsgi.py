"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import gc

from crm import create_app

app = create_app()
# What starting made (modules, the app, the models' metadata, the solver) lives as long as the process:
# frozen out of the collector's full passes, each of which otherwise stops a request for about 150 ms
# once a page has loaded a few hundred rows (measured on the API's 200-row pages at national scale).
gc.collect()
gc.freeze()
