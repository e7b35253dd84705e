r"""
Reading an uploaded CSV file, whatever spreadsheet wrote it.

Accepted: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
"Unicode Text"); `\n`, `\r\n` or `\r` line endings (Excel's "CSV (Macintosh)");
commas, semicolons (spreadsheets in locales with a decimal comma) or tabs,
detected from the header line; header names in any case, with spaces around
them. Empty rows are skipped. Anything else (another encoding, a NUL byte, a
broken quote, a cell or a file that is too large, too many rows) raises
CsvFileError with a message naming the line. The DRF parsers at the end read a
`text/csv` body or a multipart `file` within the upload's limits and answer a bad
file with a 400 naming `file`.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, DataAndFiles, MultiPartParser

DELIMITERS = (',', ';', '\t')
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class CsvFileError(ValueError):
    """The uploaded file cannot be read as CSV; the message says why (and where)."""


@dataclass(frozen=True)
class CsvRow:
    """A non-empty row: the line of the file it starts on and its non-blank cells by lower-case column name."""

    line: int
    cells: dict[str, str]


def read_csv_rows(raw: bytes, *, max_bytes: int, max_rows: int) -> tuple[list[str], list[CsvRow]]:
    """Return the header's column names and the non-empty rows of `raw`; raise CsvFileError for a bad file."""
    if len(raw) > max_bytes:
        raise CsvFileError(f'The file is larger than {max_bytes} bytes.')
    text = _decode(raw)
    if '\x00' in text:
        raise CsvFileError('The file contains NUL bytes: save it as CSV text, not as a spreadsheet.')
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=_delimiter(text), strict=True)
    columns = _header(reader)
    rows: list[CsvRow] = []
    for row in _rows(reader, columns):
        if len(rows) == max_rows:
            raise CsvFileError(f'The file has more than {max_rows} rows.')
        rows.append(row)
    return columns, rows


def _decode(raw: bytes) -> str:
    encoding = 'utf-16' if raw.startswith(UTF16_BOMS) else 'utf-8-sig'
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise CsvFileError('The file is not UTF-8 (or UTF-16) text: save it as "CSV UTF-8".') from error


def _delimiter(text: str) -> str:
    header = text.lstrip('\r\n').split('\n', 1)[0].split('\r', 1)[0]
    return max(DELIMITERS, key=header.count)


def _header(reader) -> list[str]:
    try:
        names: list[str] = next(reader, [])
    except csv.Error as error:
        raise CsvFileError(f'line {reader.line_num}: {error}.') from error
    columns = [name.strip().lower() for name in names]
    duplicates = sorted({name for name in columns if name and columns.count(name) > 1})
    if duplicates:
        raise CsvFileError(f'The header names {", ".join(duplicates)} more than once.')
    return columns


def _rows(reader, columns: list[str]) -> Iterator[CsvRow]:
    line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # a cell over csv.field_size_limit(), a broken quote
            raise CsvFileError(f'line {line + 1}: {error}.') from error
        start, line = line + 1, reader.line_num
        named = {name: value.strip() for name, value in zip(columns, cells, strict=False) if name and value.strip()}
        if named:
            yield CsvRow(line=start, cells=named)


# --- DRF parsers: an upload's CSV arrives in `request.data[CSV_FIELD]` as a CsvTable -----------------------------

# The upload's limits: 1 MiB, 5000 non-empty rows.
MAX_UPLOAD_BYTES = 1024 * 1024
MAX_UPLOAD_ROWS = 5000
# The key of the parsed table in `request.data`, and the multipart field the file is sent in.
CSV_FIELD = 'csv'
FILE_FIELD = 'file'


@dataclass(frozen=True)
class CsvTable:
    """A parsed upload: the header's column names and the non-empty rows."""

    columns: list[str]
    rows: list[CsvRow]


def parse_csv_table(raw: bytes) -> CsvTable:
    """Return the table in `raw` within the upload limits; raise a 400 naming `file` for a bad file."""
    try:
        columns, rows = read_csv_rows(raw, max_bytes=MAX_UPLOAD_BYTES, max_rows=MAX_UPLOAD_ROWS)
    except CsvFileError as error:
        raise ValidationError({FILE_FIELD: [str(error)]}) from error
    return CsvTable(columns=columns, rows=rows)


class CsvTextParser(BaseParser):
    """A `text/csv` body; over DATA_UPLOAD_MAX_MEMORY_SIZE it is a 413, as Django answers for any body."""

    media_type = 'text/csv'

    def parse(self, stream, media_type=None, parser_context=None):
        """Return `{CSV_FIELD: CsvTable}`."""
        _refuse_oversized_body((parser_context or {}).get('request'))
        return {CSV_FIELD: parse_csv_table(stream.read() if stream is not None else b'')}


class CsvMultiPartParser(MultiPartParser):
    """A multipart form whose field `file` is the CSV file; the table replaces the form's fields."""

    def parse(self, stream, media_type=None, parser_context=None):
        """Return `{CSV_FIELD: CsvTable}` (the form as sent when it has no `file`)."""
        form = super().parse(stream, media_type, parser_context)
        upload = form.files.get(FILE_FIELD)
        if upload is None:
            return form
        return DataAndFiles({CSV_FIELD: parse_csv_table(upload.read(MAX_UPLOAD_BYTES + 1))}, {})


def _refuse_oversized_body(request) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request is None or limit is None:
        return
    if int(request.META.get('CONTENT_LENGTH') or 0) > limit:
        raise RequestDataTooBig('Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.')
