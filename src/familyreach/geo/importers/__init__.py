"""Importers for national open data files, one module per source, sharing `core` (CSV reading,
line numbers, column checks) and `store` (idempotent upserts). Each import runs in one
transaction: a bad row raises `ImportFailed` naming file, line, column and reason, and the
database is left as it was."""

from familyreach.geo.exceptions import ImportFailed

__all__ = ["ImportFailed"]
