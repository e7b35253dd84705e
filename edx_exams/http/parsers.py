r"""
JSON parsing shared by the REST API and the LTI endpoints: bad text is a 400, never a 500.

`load_json` refuses, with a message for the client:

- text that is not JSON, or not in the declared encoding (a latin-1 body sent as UTF-8);
- `NaN` and `Infinity`, which are not JSON;
- JSON nested deeper than Python's recursion limit, on which `json.loads` raises
  RecursionError (which DRF does not catch);
- `"\ud800"`: valid JSON, but it decodes to a lone surrogate, which no database
  driver or JSON renderer can encode; it used to fail later, in a query or while
  echoing the value in an error message.
"""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class InvalidJson(ValueError):
    """A body that cannot be handled as JSON; the message says why, for the client."""


def load_json(raw: bytes | str, *, encoding: str = 'utf-8'):
    """Return the value of the JSON text `raw` (bytes in `encoding`); raise InvalidJson for unusable text."""
    try:
        text = raw.decode(encoding) if isinstance(raw, bytes) else raw
        data = json.loads(text, parse_constant=_refuse_constant)
        json.dumps(data, ensure_ascii=False).encode('utf-8')
    except RecursionError as error:
        raise InvalidJson('JSON parse error - the document is nested too deeply.') from error
    except UnicodeEncodeError as error:
        raise InvalidJson('JSON parse error - a string holds an unpaired surrogate (invalid Unicode).') from error
    except UnicodeDecodeError as error:
        raise InvalidJson(f'JSON parse error - the body is not {encoding} text.') from error
    except (ValueError, LookupError) as error:  # LookupError: an unknown charset in the content type
        raise InvalidJson(f'JSON parse error - {error}') from error
    return data


def _refuse_constant(name: str):
    raise ValueError(f'{name} is not a JSON value')


class ExamsJSONParser(JSONParser):
    """DRF's JSONParser on `load_json`: 400 to bad encodings, NaN, over-deep nesting and lone surrogates."""

    def parse(self, stream, media_type=None, parser_context=None):
        """Parse the body; raise ParseError for text that cannot be handled."""
        encoding = (parser_context or {}).get('encoding') or 'utf-8'
        try:
            return load_json(stream.read() if stream is not None else b'', encoding=encoding)
        except InvalidJson as error:
            raise ParseError(str(error)) from error
