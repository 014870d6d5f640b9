"""Production server settings: `gunicorn -c gunicorn.conf.py "casework:create_app()"`.

The number of workers comes from CASEWORK_WORKERS (or WEB_CONCURRENCY), the variables the app reads
too: with more than one worker the app refuses to start unless CASEWORK_REDIS_URL gives the workers a
shared store for the sign-in counters. docs/deployment.md explains each setting an administrator may
change; options given on the command line (`--bind`, `--workers`) override the values here.
"""

import os
import re

from gunicorn.glogging import Logger

from casework.config import worker_count

bind = "127.0.0.1:8000"
workers = worker_count()

# A request still running after `timeout` seconds is a fault (pages take milliseconds; long work runs
# as a command), so its worker is killed and replaced. On a restart, requests in flight get
# `graceful_timeout` seconds to finish.
timeout = 30
graceful_timeout = 30
# Each worker is replaced after about ten thousand requests, staggered by the jitter so that the
# workers do not all restart at the same moment: memory a library holds on to is returned to the
# system. Not more often: a worker's start costs about 1.1 s of CPU, and replacing workers every
# thousand requests added 1.1 ms to each request of the signed-in help page at 420 requests a
# second, 22% of a 2-core machine. A worker's memory levels off within its first thousand requests
# (151-153 MB; benchmarks/throughput.py prints it).
max_requests = 10000
max_requests_jitter = 1000
# The heartbeat file lives in memory, so a slow disk cannot make the master kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket: systemd starts, reloads and stops the server, and the service may not write to
# its home folder, where the socket would go.
control_socket_disable = True

# Both logs go to standard error, which systemd hands to the journal. The access log keeps the path
# but never the query string (search terms would appear there) nor the referrer (which carries them
# too); %(M)s is the time taken in milliseconds.
errorlog = "-"
# The same variable sets the level of the app's own log.
loglevel = os.environ.get("CASEWORK_LOG_LEVEL", "info").lower()
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class CaseworkLogger(Logger):
    """gunicorn's logger, but a one-time setup link's token never reaches the access log: whoever reads
    the log could otherwise set the password before the person the link was made for."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = SETUP_TOKEN.sub(r"\1[token]", atoms["U"] or "")
        return atoms


SETUP_TOKEN = re.compile(r"^(/reset/)[^/]+")
logger_class = CaseworkLogger

# Only the reverse proxy on this machine may say that the client used HTTPS.
forwarded_allow_ips = "127.0.0.1"


def on_starting(server):
    """A count given on the command line (`-w 4`) reaches the app's start-up check as well."""
    os.environ["CASEWORK_WORKERS"] = str(server.cfg.workers)
