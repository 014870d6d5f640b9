"""The hello-world app that throughput is measured against: Flask and nothing else.

It lives apart from the benchmark so that a gunicorn worker serving it imports only Flask (0.2 s of
CPU). Served from `benchmarks.throughput`, each worker imported SQLAlchemy, Flask-Security and
Casework's models too (1.4 s), and gunicorn replaces a worker every thousand requests or so, which at
hello world's rate is every second or two: the baseline paid for imports it never used.
"""

from flask import Flask

app = Flask("hello")


@app.get("/")
def hello():
    return "Hello, World!"
