"""Production server settings: `gunicorn -c gunicorn.conf.py "casework:create_app()"`.

The number of workers comes from CASEWORK_WORKERS (or WEB_CONCURRENCY), the variables the app reads
too: with more than one worker the app refuses to start unless CASEWORK_REDIS_URL gives the workers a
shared store for the sign-in counters.
"""

import os

from casework.config import worker_count

bind = "127.0.0.1:8000"
workers = worker_count()
# The access log keeps the path but never the query string, where search terms would appear.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s'
forwarded_allow_ips = "127.0.0.1"


def on_starting(server):
    """A count given on the command line (`-w 4`) reaches the app's start-up check as well."""
    os.environ["CASEWORK_WORKERS"] = str(server.cfg.workers)
