r"""
The JSON parser of the API: DRF's, plus two refusals so that bad text is a 400, never a 500.

- JSON nested deeper than Python's recursion limit makes `json.loads` raise
  RecursionError, which DRF does not catch.
- `"\ud800"` is valid JSON but decodes to a lone surrogate, which no database
  driver or JSON renderer can encode; it used to fail later, in a query or while
  echoing the value in an error message.
"""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ExamsJSONParser(JSONParser):
    """DRF's JSONParser that answers 400 to over-deep nesting and to lone surrogates."""

    def parse(self, stream, media_type=None, parser_context=None):
        """Parse the body; raise ParseError for text that cannot be handled."""
        try:
            data = super().parse(stream, media_type=media_type, parser_context=parser_context)
            json.dumps(data, ensure_ascii=False).encode('utf-8')
        except RecursionError as error:
            raise ParseError('JSON parse error - the document is nested too deeply.') from error
        except UnicodeEncodeError as error:
            raise ParseError('JSON parse error - a string holds an unpaired surrogate (invalid Unicode).') from error
        return data
