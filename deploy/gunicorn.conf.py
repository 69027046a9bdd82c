"""gunicorn's settings for the service (deploy/statsbidrag.service: gunicorn --config this file).

Four sync workers suit two cores (see README, load benchmark): after a write one of them builds
the dashboards ahead while three serve pages. Only the proxy reaches them. gunicorn's own lines
(start, workers, timeouts, and its access line per request) are JSON like the app's, through the
app's formatter, which also blanks OpenID Connect codes and states in any line.
"""

import os
import sys

# The code folder (WorkingDirectory), so the formatter below can be imported before the app is.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

wsgi_app = "config.wsgi:application"
bind = "127.0.0.1:8000"
workers = 4
timeout = 120
graceful_timeout = 30
# No control socket: systemd starts, reloads and stops the service (and under
# ProtectSystem=strict the service user's home is read-only).
control_socket_disable = True

# The access line: method, path without its query string (it may carry an OpenID Connect code),
# status and milliseconds; the JSON formatter adds them as fields too.
access_log_format = "%(m)s %(U)s %(s)s %(M)sms"
_JSON = {"formatter": "json", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "operations.logs.JsonFormatter"}},
    "handlers": {"console": _JSON, "error_console": _JSON},
    "root": {"level": "WARNING", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
