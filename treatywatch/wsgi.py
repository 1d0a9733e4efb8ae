"""WSGI entry point: `gunicorn treatywatch.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treatywatch.settings")
application = get_wsgi_application()
