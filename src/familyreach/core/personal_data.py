"""The register of where a family's personal data is held, and how to export and erase it.

Each app adds its own models from its `AppConfig.ready()`: `hold(...)` for a table holding a
family's personal data (how to find the family's rows, what to show the family in plain words,
how to erase them), `exempt(...)` for a table that looks as if it might but does not, with the
reason. Subject access (`families.selectors.family_export_for_user`) and erasure
(`families.services.family_anonymise`) walk this register and nothing else, so a table the
register does not know about is a table they miss: `unregistered_models()` finds any model with
a link to a family, or a field named like personal data, that is in neither list, and a test
fails on it.

The register lives in core (which every app may use) so that no lower layer imports families:
rows are found from family ids (the family and every duplicate merged into it) and from the
rows other entries found before them (`Found`), not from a Family object.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone


@dataclass
class Found:
    """What has been found so far for one family: its ids (with merged duplicates), the primary
    keys per model, and the references used in messages about those rows."""

    family_ids: frozenset[int]
    pks: dict[type[Model], list[Any]] = field(default_factory=dict)
    references: set[str] = field(default_factory=set)

    def of(self, model: type[Model]) -> list[Any]:
        return self.pks.get(model, [])


@dataclass(frozen=True)
class Holding:
    """One table that holds a family's personal data.

    `find` returns the family's rows; `fields` are (attribute, plain label) pairs shown to the
    family (dotted attributes follow relations; a field with choices shows its label);
    `erase(rows, user)` removes the personal data (deletes the rows or blanks the fields), inside
    the erasure's transaction. `withheld`, when set, keeps the rows out of the family's copy and
    is the reason the copy gives instead (it must hold whether or not a row exists, so the copy
    neither confirms nor denies). `blocks_erasure(rows)` returns why erasure must wait, or "".
    `references(rows)` lists the references messages about these rows were sent under.
    `after` names models whose rows `find` reads from `Found`; a holding whose `find` reads
    `Found.references` (the outbox) says so with `reads_references`, and comes after all others.
    `in_copy(rows)`, when set, narrows the rows shown in the family's copy; the rest are
    withheld for the reason in `withheld`.
    """

    model: type[Model]
    section: str
    find: Callable[[Found], QuerySet[Any]]
    fields: tuple[tuple[str, str], ...]
    erase: Callable[[QuerySet[Any], Any], None]
    order: int = 100
    withheld: str = ""
    blocks_erasure: Callable[[QuerySet[Any]], str] | None = None
    references: Callable[[QuerySet[Any]], Iterable[str]] | None = None
    after: tuple[type[Model], ...] = ()
    in_copy: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None
    reads_references: bool = False


_holdings: dict[type[Model], Holding] = {}
_exempt: dict[type[Model], str] = {}


def hold(holding: Holding) -> None:
    """Register a table holding family personal data (idempotent per model)."""
    _holdings[holding.model] = holding


def exempt(*models: type[Model], reason: str) -> None:
    """Record that these models hold no family's personal data that erasure or subject access
    must follow, and why."""
    if not reason.strip():
        raise ValueError("An exemption needs a reason.")
    for model in models:
        _exempt[model] = reason


def holdings() -> list[Holding]:
    """Every registered holding in the order its rows can be found: each time, the first by
    `order` whose `after` models are already found; those reading references last."""
    pending = sorted(
        _holdings.values(), key=lambda h: (h.reads_references, h.order, h.model._meta.label)
    )
    ordered: list[Holding] = []
    done: set[type[Model]] = set()
    while pending:
        ready = next(
            (h for h in pending if all(m in done or m not in _holdings for m in h.after)), None
        )
        if ready is None:
            raise RuntimeError(f"Circular 'after' among {[h.model for h in pending]}")
        ordered.append(ready)
        done.add(ready.model)
        pending.remove(ready)
    return ordered


def exemptions() -> dict[type[Model], str]:
    return dict(_exempt)


def collect(family_ids: Iterable[int]) -> list[tuple[Holding, list[Any]]]:
    """Every registered holding with the primary keys of the family's rows in it."""
    found = Found(family_ids=frozenset(family_ids))
    result: list[tuple[Holding, list[Any]]] = []
    for holding in holdings():
        rows = holding.find(found)
        pks = list(rows.values_list("pk", flat=True))
        found.pks[holding.model] = pks
        if holding.references is not None and pks:
            found.references.update(holding.references(rows))
        result.append((holding, pks))
    return result


def rows_of(holding: Holding, pks: list[Any]) -> QuerySet[Any]:
    # The base manager: some tables (safeguarding concerns) refuse changes through their own
    # manager, and erasure is the one change the law requires of them.
    return holding.model._base_manager.filter(pk__in=pks)


def erasure_blockers(collected: list[tuple[Holding, list[Any]]]) -> list[str]:
    reasons = []
    for holding, pks in collected:
        if holding.blocks_erasure is not None and pks:
            reason = holding.blocks_erasure(rows_of(holding, pks))
            if reason:
                reasons.append(reason)
    return reasons


def erase(collected: list[tuple[Holding, list[Any]]], *, user: Any) -> None:
    """Erase every holding's rows, last found first (rows found through others go before
    the rows they were found through)."""
    for holding, pks in reversed(collected):
        if pks:
            holding.erase(rows_of(holding, pks), user)


def blank(**values: Any) -> Callable[[QuerySet[Any], Any], None]:
    """An eraser that overwrites these fields on every row (a bulk update: the audit history
    of the rows is scrubbed separately, and the erasure itself is recorded as one action)."""

    def _erase(rows: QuerySet[Any], user: Any) -> None:
        rows.update(**values)

    return _erase


def delete(rows: QuerySet[Any], user: Any) -> None:
    """An eraser that deletes the rows."""
    rows.delete()


ERASED = "(anonymised)"


# --- The family's copy ---------------------------------------------------------------------


def _plain(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%-d %B %Y at %H:%M}"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_plain(item)}" for key, item in value.items())
    return str(value)


def _attribute(row: Any, path: str) -> Any:
    target = row
    *parents, name = path.split(".")
    for part in parents:
        target = getattr(target, part, None)
        if target is None:
            return None
    display = getattr(target, f"get_{name}_display", None)
    if callable(display):
        return display()
    return getattr(target, name, None)


def describe(holding: Holding, row: Any) -> dict[str, str]:
    """One row as the family reads it: plain labels to plain values (empty ones left out)."""
    described = {}
    for path, label in holding.fields:
        value = _plain(_attribute(row, path))
        if value:
            described[label] = value
    return described


# --- Completeness --------------------------------------------------------------------------

# Field names that say "this is about a person": the exact names, and names ending in them
# (`contact_email`, `outcome_notes`, `referee_name`).
PERSONAL_FIELD_NAMES = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "full_name",
        "email",
        "phone",
        "mobile",
        "postcode",
        "address",
        "date_of_birth",
        "notes",
    }
)


def _named_like_personal_data(name: str) -> bool:
    return name in PERSONAL_FIELD_NAMES or any(
        name.endswith(f"_{word}") for word in PERSONAL_FIELD_NAMES
    )


def models_linked_to(target: type[Model], models: Iterable[type[Model]]) -> set[type[Model]]:
    """Models with a chain of foreign keys (or one-to-ones, or many-to-manys) leading to
    `target`: a booking (family), a check-in (match → request → family)."""
    candidates = list(models)
    linked: set[type[Model]] = {target}
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in linked:
                continue
            for model_field in model._meta.get_fields():
                related = getattr(model_field, "related_model", None)
                forward = model_field.concrete or model_field.many_to_many
                if forward and model_field.is_relation and related in linked:
                    linked.add(model)
                    changed = True
                    break
    return linked


def personal_field_names(model: type[Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if not f.is_relation and _named_like_personal_data(f.name)
    ]


def unregistered_models(
    models: Iterable[type[Model]],
    *,
    family_model: type[Model],
    registered: Iterable[type[Model]] | None = None,
    exempted: Iterable[type[Model]] | None = None,
) -> list[str]:
    """Why each model that should be in the register is not: a link to a family, or fields
    named like personal data, and neither held nor exempt. Empty when the register is whole."""
    models = [m for m in models if not m._meta.abstract and not m._meta.proxy]
    known = set(_holdings if registered is None else registered) | set(
        _exempt if exempted is None else exempted
    )
    linked = models_linked_to(family_model, models)
    problems = []
    for model in models:
        if model in known:
            continue
        reasons = []
        if model in linked:
            reasons.append("links to a family")
        fields = personal_field_names(model)
        if fields:
            reasons.append(f"has fields named like personal data ({', '.join(fields)})")
        if reasons:
            problems.append(f"{model._meta.label}: {' and '.join(reasons)}")
    return problems
