"""Production server settings: `gunicorn -c gunicorn.conf.py "casework:create_app()"`."""

bind = "127.0.0.1:8000"
workers = 3
# The access log keeps the path but never the query string, where search terms would appear.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s'
forwarded_allow_ips = "127.0.0.1"
