"""The small CSV-reading core every importer shares.

It finds columns by their published headers (case and spacing ignored, several accepted names
per column), counts lines as a text editor would, and turns each bad value into an
`ImportFailed` that names the file, the line, the column and the reason, e.g.

    ImportFailed: imd.csv line 42, column "IMD Rank": "abc" is not a whole number
"""

import csv
import math
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from familyreach.geo.exceptions import ImportFailed

__all__ = ["Column", "CsvTable", "ImportFailed", "Row"]

AREA_CODE = re.compile(r"^[EW]0[0-9]{7}$")  # LSOA codes: E01…, W01…
DISTRICT_CODE = re.compile(r"^[EWSN][0-9]{8}$")


def _header_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip().casefold()


@dataclass(frozen=True)
class Column:
    """A column an importer needs: the name it uses in code, and the headers it may appear under.

    The first header is the official one and is the one quoted in messages.
    """

    key: str
    headers: tuple[str, ...]
    required: bool = True

    @property
    def official(self) -> str:
        return self.headers[0]


class Row:
    """One data row: values by column key, with typed accessors that raise precise errors."""

    def __init__(
        self,
        table: "CsvTable",
        line: int,
        values: Mapping[str, str],
    ) -> None:
        self.table = table
        self.line = line
        self._values = values

    def fail(self, key: str, reason: str) -> ImportFailed:
        header = self.table.header_for(key)
        return ImportFailed(f'{self.table.name} line {self.line}, column "{header}": {reason}')

    def has(self, key: str) -> bool:
        """Whether the file has this (optional) column."""
        return key in self._values

    def text(self, key: str, *, required: bool = True) -> str:
        value = self._values.get(key, "").strip()
        if required and not value:
            raise self.fail(key, "is empty")
        return value

    def integer(self, key: str, *, required: bool = True) -> int | None:
        raw = self.text(key, required=required)
        if not raw:
            return None
        cleaned = raw.replace(",", "")
        try:
            number = float(cleaned)
        except ValueError:
            raise self.fail(key, f'"{raw}" is not a whole number') from None
        if not math.isfinite(number) or number != int(number):
            raise self.fail(key, f'"{raw}" is not a whole number')
        return int(number)

    def number(self, key: str, *, required: bool = True) -> float | None:
        raw = self.text(key, required=required)
        if not raw:
            return None
        try:
            number = float(raw.replace(",", ""))
        except ValueError:
            raise self.fail(key, f'"{raw}" is not a number') from None
        if not math.isfinite(number):
            raise self.fail(key, f'"{raw}" is not a number')
        return number

    def real(self, key: str) -> float:
        """A number that must be present (coordinates, say)."""
        value = self.number(key)
        assert value is not None  # number() raises on an empty required value
        return value

    def code(self, key: str, pattern: re.Pattern[str], description: str) -> str:
        raw = self.text(key)
        if not pattern.match(raw):
            raise self.fail(key, f'"{raw}" is not {description}')
        return raw

    def area_code(self, key: str) -> str:
        return self.code(key, AREA_CODE, "an LSOA code like E01026625")

    def district_code(self, key: str) -> str:
        return self.code(key, DISTRICT_CODE, "a local authority code like E07000145")

    def in_range(self, key: str, value: float | None, low: float, high: float) -> None:
        if value is not None and not low <= value <= high:
            raise self.fail(key, f"{value:g} is outside the range {low:g} to {high:g}")


class CsvTable:
    """A CSV file read against a list of columns. Iterate it for `Row`s (with a progress bar)."""

    def __init__(
        self,
        path: Path | str,
        columns: Sequence[Column],
        *,
        progress: bool | None = None,
        description: str = "",
        encoding: str = "auto",
        header: Sequence[str] | None = None,
    ) -> None:
        """`encoding="auto"` reads UTF-8 (with or without BOM) and falls back to Windows-1252
        (GIAS publishes in it). `header`: column names for files that have no header row
        (Code-Point Open); data then starts on line 1."""
        self.path = Path(path)
        self.encoding = encoding
        self.header = list(header) if header is not None else None
        self.name = self.path.name
        self.columns = list(columns)
        self.progress = progress
        self.description = description or f"Reading {self.name}"
        self._positions: dict[str, int] = {}
        self._found_headers: dict[str, str] = {}
        if not self.path.exists():
            raise ImportFailed(f"{self.path}: no such file")

    def has_column(self, key: str) -> bool:
        """After the header was read: whether the file has this (optional) column."""
        return key in self._positions

    def header_for(self, key: str) -> str:
        if key in self._found_headers:
            return self._found_headers[key]
        for column in self.columns:
            if column.key == key:
                return column.official
        return key

    def _match_header(self, header: list[str]) -> None:
        keys = {_header_key(text): index for index, text in enumerate(header)}
        missing = []
        for column in self.columns:
            for candidate in column.headers:
                if _header_key(candidate) in keys:
                    position = keys[_header_key(candidate)]
                    self._positions[column.key] = position
                    self._found_headers[column.key] = header[position].strip()
                    break
            else:
                if column.required:
                    missing.append(column)
        if missing:
            names = ", ".join(f'"{column.official}"' for column in missing)
            plural = "s" if len(missing) > 1 else ""
            raise ImportFailed(f"{self.name} line 1: missing column{plural} {names}")

    def _count_rows(self) -> int:
        with self.path.open("rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)

    def _encoding(self) -> str:
        if self.encoding != "auto":
            return self.encoding
        try:
            with self.path.open(encoding="utf-8-sig") as handle:
                while handle.read(1 << 20):
                    pass
        except UnicodeDecodeError:
            return "cp1252"
        return "utf-8-sig"

    def __iter__(self) -> Iterator[Row]:
        with self.path.open(newline="", encoding=self._encoding()) as handle:
            reader = csv.reader(handle)
            if self.header is not None:
                header = self.header
            else:
                try:
                    header = next(reader)
                except StopIteration:
                    raise ImportFailed(f"{self.name}: the file is empty") from None
                except csv.Error as error:
                    raise ImportFailed(f"{self.name} line 1: {error}") from None
            self._match_header(header)
            width = len(header)
            bar = tqdm(
                total=self._count_rows(),
                desc=self.description,
                unit=" rows",
                file=sys.stderr,
                disable=None if self.progress is None else not self.progress,
                leave=False,
            )
            try:
                while True:
                    try:
                        values = next(reader)
                    except StopIteration:
                        break
                    except csv.Error as error:
                        raise ImportFailed(f"{self.name} line {reader.line_num}: {error}") from None
                    bar.update(1)
                    if not values or all(not value.strip() for value in values):
                        continue
                    if len(values) != width:
                        raise ImportFailed(
                            f"{self.name} line {reader.line_num}: expected {width} values, found "
                            f"{len(values)} (is the row cut short or a comma unquoted?)"
                        )
                    yield Row(
                        self,
                        reader.line_num,
                        {key: values[position] for key, position in self._positions.items()},
                    )
            finally:
                bar.close()
