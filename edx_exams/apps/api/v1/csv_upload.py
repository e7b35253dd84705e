r"""
Reading an uploaded CSV file, whatever spreadsheet wrote it.

Accepted: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
"Unicode Text"); `\n`, `\r\n` or `\r` line endings (Excel's "CSV (Macintosh)");
commas, semicolons (spreadsheets in locales with a decimal comma) or tabs,
detected from the header line; header names in any case, with spaces around
them. Empty rows are skipped. Anything else (another encoding, a NUL byte, a
broken quote, a cell or a file that is too large, too many rows) raises
CsvFileError with a message naming the line, which the view answers as a 400.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

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
