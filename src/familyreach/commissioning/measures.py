"""The measures a contract can hold a provider to, each defined by a figure the project already
computes and shows elsewhere, never computed again differently:

- reach measures are `insight.figures` / `insight.tables` columns of the insight report (the
  dashboard's and district pages' figures, suppressed as they are);
- money measures are `insight.money.MoneyFigures` (the money page's figures);
- improved outcomes are `outcomes.selectors.closed_outcomes_by_district` (family plans closed in
  the quarter whose closure scores beat their start scores);
- time from a request for support to first contact and the peer-led share of sessions are
  `insight.service_measures` over the quarter (the reach pages' "Contact and peer-led sessions").

Each measure also says how it splits by deprivation decile (the IDACI decile of the area, as
insight's decile table), where it can: money and the greatest-need gap do not split that way.

A return is drafted "as at" the last day of its quarter: the reach measures are insight's, over
insight's rolling window (12 months by default) up to that day, exactly as the dashboard shows
them for a snapshot of that date.
"""

from collections.abc import Callable
from dataclasses import dataclass

from familyreach.insight import figures as reach_figures
from familyreach.insight import service_measures as service_figures
from familyreach.insight import tables
from familyreach.insight.disclosure import MARK
from familyreach.insight.measures import Report
from familyreach.insight.money import MoneyFigures
from familyreach.insight.service_measures import FirstContact, PeerLed, days_text
from familyreach.outcomes.selectors import ClosedOutcomes


@dataclass(frozen=True)
class Value:
    value: float | None  # None when hidden or when there is nothing to divide by
    text: str  # as pages show it: "62.1 %", "£1,234", "[c]" or "–"


@dataclass(frozen=True)
class Inputs:
    """What one scope (the contract's area, or one district) has to measure from."""

    report: Report
    money: MoneyFigures | None
    outcomes: ClosedOutcomes | None
    suppression_threshold: int
    first_contact: FirstContact | None = None
    first_contact_deciles: dict[int | None, FirstContact] | None = None
    peer_led: PeerLed | None = None
    peer_led_deciles: dict[int | None, PeerLed] | None = None


def decile_label(decile: int | str | None) -> str:
    return f"IDACI decile {decile}" if decile is not None else "IDACI decile unknown"


@dataclass(frozen=True)
class Definition:
    code: str
    title: str
    definition: str
    unit: str  # "share" (a fraction shown as a percentage), "pounds" or "days"
    higher_is_better: bool
    compute: Callable[[Inputs], Value]
    # The figure for each deprivation decile of the scope, as (label, value); None where the
    # measure does not split by decile.
    by_decile: Callable[[Inputs], list[tuple[str, Value]]] | None = None

    def show(self, value: float | None) -> str:
        if value is None:
            return "–"
        if self.unit == "days":
            return days_text(value)
        return tables.percent(value) if self.unit == "share" else f"£{value:,.0f}"


def _column(inputs: Inputs, key: str) -> Value:
    """A column of insight's tables for the scope's total, as the dashboard's table shows it."""
    column = next(column for column in tables.COLUMNS if column.key == key)
    figures = inputs.report.total
    if column.hidden_for(figures):
        return Value(None, MARK)
    return Value(column.value(figures), tables.display(column, figures))


def _column_by_decile(key: str) -> Callable[[Inputs], list[tuple[str, Value]]]:
    """A column of insight's decile table ("IDACI decile 1" first), hidden as it hides it."""
    column = next(column for column in tables.COLUMNS if column.key == key)

    def by_decile(inputs: Inputs) -> list[tuple[str, Value]]:
        return [
            (
                figures.label,
                Value(
                    None if column.hidden_for(figures) else column.value(figures),
                    tables.display(column, figures),
                ),
            )
            for figures in inputs.report.deciles
        ]

    return by_decile


def _reach_figure(figure: reach_figures.ReachFigure) -> Value:
    return Value(figure.value, figure.text)


def _buildings_share(inputs: Inputs) -> Value:
    if inputs.money is None:
        return Value(None, "–")
    return Value(inputs.money.buildings_share, tables.percent(inputs.money.buildings_share))


def _cost_per_family_seen(inputs: Inputs) -> Value:
    money = inputs.money
    if money is None:
        return Value(None, "–")
    if money.hidden:
        return Value(None, MARK)
    cost = money.cost_per_family_seen
    return Value(cost, "–" if cost is None else f"£{cost:,.0f}")


def _improved_outcomes(inputs: Inputs) -> Value:
    outcomes = inputs.outcomes
    if outcomes is None or not outcomes.closed:
        return Value(None, "–")
    # Small numbers as elsewhere: fewer closed plans than the threshold, or an improved or
    # not-improved count below it, would point at a family.
    threshold = inputs.suppression_threshold
    not_improved = outcomes.closed - outcomes.improved
    if threshold > 1 and any(0 < count < threshold for count in (outcomes.improved, not_improved)):
        return Value(None, MARK)
    return Value(outcomes.improved_share, tables.percent(outcomes.improved_share))


def _first_contact_median(contact: FirstContact | None) -> Value:
    if contact is None:
        return Value(None, "–")
    return Value(contact.median_days, contact.median_text)


def _first_contact_within(contact: FirstContact | None) -> Value:
    if contact is None:
        return Value(None, "–")
    return Value(contact.share_within, contact.share_text)


def _peer_led(peer_led: PeerLed | None) -> Value:
    if peer_led is None:
        return Value(None, "–")
    return Value(peer_led.share, peer_led.text)


def _deciles[Figure](
    pick: Callable[[Inputs], dict[int | None, Figure] | None],
    value: Callable[[Figure | None], Value],
) -> Callable[[Inputs], list[tuple[str, Value]]]:
    def by_decile(inputs: Inputs) -> list[tuple[str, Value]]:
        found = pick(inputs) or {}
        return [(decile_label(decile), value(figure)) for decile, figure in found.items()]

    return by_decile


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "seen_reach",
        reach_figures.SEEN_REACH_NAME,
        "Families with a child under five seen in the 12 months to the quarter's end ÷ "
        "estimated under-fives (insight's seen reach, docs/measures.md).",
        "share",
        True,
        lambda inputs: _reach_figure(reach_figures.seen_reach(inputs.report)),
        _column_by_decile("seen_reach"),
    ),
    Definition(
        "greatest_need_gap",
        reach_figures.GREATEST_NEED_GAP_NAME,
        "Under-fives in greatest-need areas not in a family seen in the 12 months to the "
        "quarter's end, as a share of the under-fives there (insight's greatest-need gap).",
        "share",
        False,
        lambda inputs: _reach_figure(reach_figures.greatest_need_gap(inputs.report)),
    ),
    Definition(
        "registered_reach",
        "Registered reach",
        "Registered families with a child under five ÷ estimated under-fives (insight).",
        "share",
        True,
        lambda inputs: _column(inputs, "registered_reach"),
        _column_by_decile("registered_reach"),
    ),
    Definition(
        "sustained_reach",
        "Sustained reach",
        "Families with at least the sustained number of contacts in the window ÷ estimated "
        "under-fives (insight).",
        "share",
        True,
        lambda inputs: _column(inputs, "sustained_reach"),
        _column_by_decile("sustained_reach"),
    ),
    Definition(
        "buildings_share",
        "Share of spend on buildings",
        "Buildings ÷ (buildings + frontline staff), £ a year, as the money page shows it "
        "(the share reaching families is the rest).",
        "share",
        False,
        _buildings_share,
    ),
    Definition(
        "cost_per_family_seen",
        "Cost per family seen",
        "(Buildings + frontline staff, £ a year) ÷ families seen in the window, as the money "
        "page shows it.",
        "pounds",
        False,
        _cost_per_family_seen,
    ),
    Definition(
        "improved_outcomes",
        "Closed plans with improved outcomes",
        "Family plans closed in the quarter whose closure scores (summed over the goals scored "
        "at the start and at closure) are higher than at the start ÷ plans closed in the "
        "quarter with both.",
        "share",
        True,
        _improved_outcomes,
    ),
    # --- Contact and peer-led sessions (insight.service_measures, over the quarter) ---------
    Definition(
        "first_contact_days",
        service_figures.FIRST_CONTACT_MEDIAN_NAME,
        "Median days from a request for support made in the quarter (a family's own request, "
        "or a referral for a family with a record; not declined) to the first contact recorded "
        "on or after it by the quarter's end, over requests contacted (insight).",
        "days",
        False,
        lambda inputs: _first_contact_median(inputs.first_contact),
        _deciles(lambda inputs: inputs.first_contact_deciles, _first_contact_median),
    ),
    Definition(
        "first_contact_within_target",
        service_figures.FIRST_CONTACT_WITHIN_NAME,
        "Requests for support made in the quarter contacted within the target days "
        "(FAMILYREACH_FIRST_CONTACT_TARGET_DAYS) ÷ requests contacted or past the target "
        "(insight).",
        "share",
        True,
        lambda inputs: _first_contact_within(inputs.first_contact),
        _deciles(lambda inputs: inputs.first_contact_deciles, _first_contact_within),
    ),
    Definition(
        "peer_led_share",
        service_figures.PEER_LED_NAME,
        "Meetings of peer-led community groups held in the quarter ÷ all sessions held (the "
        "service's own sessions, not cancelled, and the groups' meetings), by the venue's area "
        "(insight).",
        "share",
        True,
        lambda inputs: _peer_led(inputs.peer_led),
        _deciles(lambda inputs: inputs.peer_led_deciles, _peer_led),
    ),
)
BY_CODE: dict[str, Definition] = {definition.code: definition for definition in DEFINITIONS}
CHOICES: list[tuple[str, str]] = [(d.code, d.title) for d in DEFINITIONS]


def rating(definition: Definition, value: float | None, *, target: float, tolerance: float) -> str:
    """Green on or beyond the target, amber within the tolerance of it, red beyond that;
    "not_shown" when the figure is hidden or cannot be worked out."""
    if value is None:
        return "not_shown"
    shortfall = target - value if definition.higher_is_better else value - target
    if shortfall <= 0:
        return "green"
    if shortfall <= tolerance:
        return "amber"
    return "red"


# --- A consistent offer (commissioning/offer.py; docs/commissioning.md) -----------------------
# Kept in its own block at the end so other measures can be added above without touching it.


@dataclass(frozen=True)
class _PerThousandDefinition(Definition):
    """A measure in places a week per 1,000 under-fives, shown as the offer page shows it."""

    def show(self, value: float | None) -> str:
        from familyreach.commissioning.offer import per_thousand_text

        return per_thousand_text(value)


def _offer_per_thousand(inputs: Inputs) -> Value:
    """The offer page's "places a week per 1,000 under-fives" for the quarter ending on the
    figures' date (a return's figures are as at its quarter's last day) over the districts of
    the scope's areas: one district's row, or the county's, as the page shows it."""
    from familyreach.commissioning import offer

    district_ids = {
        figures.area.district_id for figures in inputs.report.areas if figures.area is not None
    }
    value = offer.places_by_district(offer.quarter_of(inputs.report.as_of)).per_thousand(
        district_ids
    )
    return Value(value, offer.per_thousand_text(value))


OFFER_PER_THOUSAND = _PerThousandDefinition(
    "offer_per_thousand",
    "Offer per 1,000 under-fives",
    "Places a week at sessions open to under-fives in the quarter (scheduled dates' places ÷ "
    "weeks in the quarter) per 1,000 estimated under-fives in the contract's districts, as the "
    "“Is the offer consistent?” page shows it.",
    "places a week per 1,000",
    True,
    _offer_per_thousand,
)
DEFINITIONS = (*DEFINITIONS, OFFER_PER_THOUSAND)
BY_CODE[OFFER_PER_THOUSAND.code] = OFFER_PER_THOUSAND
CHOICES.append((OFFER_PER_THOUSAND.code, OFFER_PER_THOUSAND.title))
