"""Reads for contracts and returns, with who may see them.

- The council's service managers and commissioners (planners) see every contract and return:
  they hold counts and the provider's words, county-wide like insight's pages.
- A provider's manager sees the contracts they are named on, and nothing else: another
  provider's contract or return is not found (404), as if it did not exist.
- Only a provider's manager named on the contract prepares and submits its returns; only a
  commissioner (a planner) agrees, queries and signs off.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from familyreach.accounts.roles import Role
from familyreach.commissioning import measures
from familyreach.commissioning.models import Contract, QuarterlyReturn, ReturnEvent
from familyreach.geo.models import District
from familyreach.insight import service_measures
from familyreach.insight.measures import Report, roll_up
from familyreach.insight.models import ReachSnapshot
from familyreach.insight.money import MoneyFigures, money_by_district
from familyreach.insight.selectors import area_rows, dashboard_report
from familyreach.insight.service_measures import ALL
from familyreach.outcomes.selectors import ClosedOutcomes, closed_outcomes_by_district

COUNCIL_ROLES = (Role.MANAGER, Role.PLANNER)


def _is_council(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(*COUNCIL_ROLES))


def _is_provider_manager(user: Any) -> bool:
    return bool(user.has_role(Role.PROVIDER_MANAGER))


def commissioning_check_access(*, user: Any) -> None:
    if not user.is_authenticated or not (_is_council(user) or _is_provider_manager(user)):
        raise PermissionDenied("Your role does not give access to contracts.")


def can_prepare(*, user: Any, contract: Contract) -> bool:
    """The provider's side: a provider's manager named on this contract (or the administrator)."""
    if user.is_superuser:
        return True
    return _is_provider_manager(user) and contract.provider_managers.filter(pk=user.pk).exists()


def can_commission(*, user: Any) -> bool:
    """The council's side: agree, query, send back and sign off."""
    return bool(user.is_superuser or user.has_role(Role.PLANNER))


def contract_list_for_user(*, user: Any) -> QuerySet[Contract]:
    commissioning_check_access(user=user)
    contracts = Contract.objects.select_related("provider").prefetch_related("districts")
    if _is_council(user):
        return contracts
    return contracts.filter(provider_managers=user)


def contract_get_for_user(*, user: Any, contract_id: int) -> Contract:
    contract = (
        contract_list_for_user(user=user)
        .prefetch_related("measures", "returns")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise Http404("No such contract.")
    return contract


def return_get_for_user(*, user: Any, return_id: int) -> QuarterlyReturn:
    commissioning_check_access(user=user)
    returns = QuarterlyReturn.objects.select_related(
        "contract__provider", "signed_off_by"
    ).prefetch_related(
        "measures", Prefetch("events", queryset=ReturnEvent.objects.select_related("by"))
    )
    if not _is_council(user):
        returns = returns.filter(contract__provider_managers=user)
    found = returns.filter(pk=return_id).first()
    if found is None:
        raise Http404("No such return.")
    return found


# --- Drafting the figures --------------------------------------------------------------------


@dataclass(frozen=True)
class DraftMeasure:
    code: str
    title: str
    definition: str
    value: float | None
    text: str
    target: float
    target_text: str
    tolerance: float
    rating: str
    by_district: list[dict[str, Any]]
    # [{"decile": "IDACI decile 1", "value": float|None, "text": "62.1 %"}]; empty where the
    # measure does not split by decile.
    by_decile: list[dict[str, Any]]


def _sum_money(label: str, parts: list[MoneyFigures], report: Report) -> MoneyFigures:
    """The contract's districts together, built as insight builds the county's (the families
    seen from the report of the same areas)."""
    return MoneyFigures(
        label=label,
        buildings=sum(part.buildings for part in parts),
        frontline=sum(part.frontline for part in parts),
        families_seen=report.total.counts.seen_families,
        hidden="seen_families" in report.total.hidden,
    )


def _sum_outcomes(parts: list[ClosedOutcomes]) -> ClosedOutcomes:
    return ClosedOutcomes(
        district_id=None,
        closed=sum(part.closed for part in parts),
        improved=sum(part.improved for part in parts),
    )


def return_figures(
    *, contract: Contract, snapshot: ReachSnapshot, quarter_start: date, quarter_end: date
) -> list[DraftMeasure]:
    """Every measure of the contract for the quarter: the headline over the contract's
    districts and each district's figure, from the same functions as insight's pages."""
    from familyreach.insight import loop

    threshold = settings.INSIGHT_SUPPRESSION_THRESHOLD
    every_district = list(District.objects.order_by("name"))
    chosen = list(contract.districts.order_by("name"))
    county_wide = not chosen or {d.pk for d in chosen} == {d.pk for d in every_district}
    districts = every_district if county_wide else chosen

    county_report = dashboard_report(snapshot=snapshot).report
    district_reports = {
        district.pk: dashboard_report(snapshot=snapshot, district_code=district.code).report
        for district in districts
    }
    spend = loop.spend_by_district()
    district_money: dict[str, MoneyFigures] = {}
    county_money: MoneyFigures | None = None
    if spend is not None:
        by_district, county_money = money_by_district(spend.districts, county_report)
        district_money = {item.label: item for item in by_district}
    outcomes = closed_outcomes_by_district(start=quarter_start, end=quarter_end)
    # Contact and peer-led sessions over the quarter: one read of the records, and one table of
    # first contact hidden once over the county, districts and deciles (as the reach pages).
    requests = service_measures.requests_in(start=quarter_start, end=quarter_end)
    held = service_measures.sessions_held(start=quarter_start, end=quarter_end)
    contact_table = service_measures.first_contact_table(requests, end=quarter_end)

    def service_inputs(district_ids: set[int] | None) -> dict[str, Any]:
        """The quarter's contact and sessions for the county (None) or these districts."""
        if district_ids is None:
            scopes: list[int | str] = [ALL]
        else:
            scopes = sorted(district_ids)
        chosen_held = [h for h in held if district_ids is None or h.district_id in district_ids]
        deciles = sorted(
            {key[1] for key in contact_table if key[0] in scopes and key[1] != ALL},
            key=lambda d: (d is None, d if isinstance(d, int) else 0),
        )

        def contact_of(keys: list[Any]) -> service_measures.FirstContact:
            # One scope is the table's own entry; several (some districts, not the county) are
            # added up, hidden wherever any part is hidden, so no part is given away.
            parts = [contact_table[key] for key in keys if key in contact_table]
            if len(keys) == 1 and parts:
                return parts[0]
            chosen = [
                r
                for r in requests
                if any(
                    (key[0] == ALL or r.district_id == key[0])
                    and (key[1] == ALL or r.decile == key[1])
                    for key in keys
                )
            ]
            return service_measures.first_contact_of(
                chosen,
                end=quarter_end,
                target_days=settings.INSIGHT_FIRST_CONTACT_TARGET_DAYS,
                hidden_median=any(part.hidden_median for part in parts),
                hidden_share=any(part.hidden_share for part in parts),
            )

        return {
            "first_contact": contact_of([(scope, ALL) for scope in scopes]),
            "first_contact_deciles": {
                decile: contact_of([(scope, decile) for scope in scopes]) for decile in deciles
            },
            "peer_led": service_measures.peer_led_of(chosen_held),
            "peer_led_deciles": {
                decile: service_measures.peer_led_of(h for h in chosen_held if h.decile == decile)
                for decile in sorted(
                    {h.decile for h in chosen_held}, key=lambda d: (d is None, d or 0)
                )
            },
        }

    def inputs_for(district: District) -> measures.Inputs:
        return measures.Inputs(
            report=district_reports[district.pk],
            money=district_money.get(district.name),
            outcomes=outcomes.get(district.pk),
            suppression_threshold=threshold,
            **service_inputs({district.pk}),
        )

    if county_wide:
        headline = measures.Inputs(
            report=county_report,
            money=county_money,
            outcomes=_sum_outcomes(list(outcomes.values())),
            suppression_threshold=threshold,
            **service_inputs(None),
        )
    elif len(districts) == 1:
        headline = inputs_for(districts[0])
    else:
        # Several districts but not the county: their areas rolled up together. Any figure of
        # which a district's part is hidden is hidden here too, so the total never gives a
        # hidden part away by subtraction.
        ids = {district.pk for district in districts}
        areas = [area for area in area_rows() if area.district_id in ids]
        report = roll_up(snapshot_cells(snapshot), areas, scope=contract.name)
        headline = measures.Inputs(
            report=report,
            money=_sum_money(
                contract.name,
                [district_money[d.name] for d in districts if d.name in district_money],
                report,
            )
            if spend is not None
            else None,
            outcomes=_sum_outcomes([outcomes[d.pk] for d in districts if d.pk in outcomes]),
            suppression_threshold=threshold,
            **service_inputs(ids),
        )

    drafted = []
    for item in contract.measures.all():
        definition = measures.BY_CODE[item.code]
        parts = []
        for district in districts:
            value = definition.compute(inputs_for(district))
            parts.append(
                {
                    "district": district.name,
                    "code": district.code,
                    "value": value.value,
                    "text": value.text,
                }
            )
        value = definition.compute(headline)
        if not county_wide and len(districts) > 1 and any(p["text"] == "[c]" for p in parts):
            value = measures.Value(None, "[c]")
        by_decile = [
            {"decile": label, "value": part.value, "text": part.text}
            for label, part in (definition.by_decile(headline) if definition.by_decile else [])
        ]
        drafted.append(
            DraftMeasure(
                code=item.code,
                title=definition.title,
                definition=definition.definition,
                value=value.value,
                text=value.text,
                target=item.target,
                target_text=definition.show(item.target),
                tolerance=item.tolerance,
                rating=measures.rating(
                    definition, value.value, target=item.target, tolerance=item.tolerance
                ),
                by_district=parts,
                by_decile=by_decile,
            )
        )
    return drafted


def snapshot_cells(snapshot: ReachSnapshot) -> Any:
    from familyreach.insight.measures import Cells

    return Cells.from_json(snapshot.cells)
