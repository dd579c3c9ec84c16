"""The smallest Flask application: the ceiling of Flask + gunicorn + wrk on this machine.

    gunicorn --workers 2 --chdir benchmarks hello:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
