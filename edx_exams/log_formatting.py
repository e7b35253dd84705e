"""The JSON log formatter chosen by `LOG_FORMAT: json`."""

import json
import logging
from datetime import UTC, datetime

# Record attributes every line carries, under these keys.
_FIELDS = {
    'levelname': 'level',
    'name': 'logger',
    'process': 'process',
    'request_id': 'request_id',
    'userid': 'user_id',
    'remoteip': 'ip',
    'filename': 'file',
    'lineno': 'line',
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, user id, ip, source, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a single line of JSON."""
        line: dict[str, object] = {
            'time': datetime.fromtimestamp(record.created, UTC).isoformat(timespec='milliseconds')
        }
        line.update({key: getattr(record, attribute, None) for attribute, key in _FIELDS.items()})
        line['message'] = record.getMessage()
        if record.exc_info:
            line['exception'] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
