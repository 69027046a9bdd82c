"""Log records as one JSON object per line, for journald and the region's log collection.

The same formatter serves the app (settings.LOGGING) and gunicorn's own lines
(deploy/gunicorn.conf.py). Whatever a line holds, the values of OpenID Connect's `code`,
`state` and tokens in a URL are blanked: a callback URL in an error record must not hand
anyone a sign-in.
"""

import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed in `extra=` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

# A URL parameter whose value signs someone in: `code=…`, `state=…`, tokens (not `zipcode=`).
_SECRET_PARAMETER = re.compile(
    r"(?i)(?<![\w-])((?:code|state|session_state|id_token|access_token|refresh_token)=)"
    r"[^&\s'\"#;<>]+"
)
BLANKED = "[borttaget]"

# gunicorn's access line (logger gunicorn.access) passes its atoms as a dict: these become
# fields. Never the query string or the raw request line (they may hold a code).
_ACCESS_FIELDS = {"m": "method", "U": "path", "s": "status", "M": "ms", "h": "ip", "B": "bytes"}


def scrub(text: str) -> str:
    """`text` with the values of sign-in parameters in any URL blanked."""
    return _SECRET_PARAMETER.sub(rf"\1{BLANKED}", text)


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            entry["event"] = "access"
            for atom, field in _ACCESS_FIELDS.items():
                value = record.args.get(atom)
                if value not in (None, "-"):
                    entry[field] = int(value) if field in ("status", "ms") else value
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                plain = isinstance(value, str | int | float | bool | None)
                entry[key] = value if plain else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        for key, value in entry.items():
            if isinstance(value, str):
                entry[key] = scrub(value)
        return json.dumps(entry, ensure_ascii=False)
