"""The book's answer, computed: an indicator dashboard and a judgement per domain.

The concluding chapter asks, domain by domain, whether Kazakhstan has moved
from Moscow towards Beijing since 2022. Its words must follow the numbers, so
the judgement is not typed: it is computed here from the tables by one small
rule, stated once and tested on small frames and on an edited copy of the data.

**Indicators.** Each :class:`Indicator` reads one series (year, value,
source_id) from the data package and says which partner a rise favours
(``toward``: ``RUS``, ``CHN``, ``THIRD`` for any third partner, or ``BOTH``
where Russia and China act together). The dashboard takes three points:

- *baseline*: the latest year from 2019 to 2021 with a value; if none, the
  latest earlier year (marked by its year); if none, no baseline;
- *2022*: the value in 2022, if any;
- *latest*: the latest year after 2022 with a value (or 2022 itself).

**Direction.** The change runs from the baseline (or from 2022 when there is no
baseline) to the latest value. It counts only beyond a threshold:
:data:`THRESHOLD_POINTS` percentage points for shares and percentages,
:data:`THRESHOLD_RELATIVE` of the starting value for other quantities.
Smaller changes are ``flat``. A series with no value after 2021, or only one
point, has no direction (``n/a``) and does not enter the judgement.

**Judgement.** In each domain every indicator that moved scores +1 (rose) or
-1 (fell) for its partner; ``BOTH`` indicators are reported but score for
neither. With Russia's score *r*, China's *c* and third partners' *t*:

- *c* > 0 and *r* <= 0: "moved towards China";
- *r* > 0 and *c* <= 0: "drawn closer to Russia";
- *r* > 0 and *c* > 0: "closer to both";
- *r* < 0, *c* = 0 and *t* <= 0: "loosening from Russia";
- otherwise *r* <= 0 and *c* <= 0 with something moved (*r* < 0, *c* < 0 or *t* > 0): "diversifying away
  from both";
- nothing moved: "still anchored to Russia" if Russia leads the domain's
  first comparable pair of indicators at the latest point, else "no change";
- no indicator with a direction: "too little data to judge" (confidence low).

**Confidence.** The indicators that carry a judgement (those that moved its
way, or for "anchored" and "no change" those that stayed flat) are counted by
independent sources (distinct documents) and by the best grade of their kinds
(``x-source-kinds`` in the descriptor; 1 is strongest). Those that moved the
other way conflict with it.

- *high*: at least :data:`HIGH_SOURCES` sources, best grade at most
  :data:`STRONG_GRADE`, and nothing conflicting;
- *medium*: at least two sources or a best grade at most :data:`STRONG_GRADE`,
  and fewer conflicting than carrying indicators;
- *low*: anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kzdata._package import descriptor, load, names
from kzdata.energy import share_crossing_russia
from kzdata.trade import partner_share

#: A share or percentage must move by at least this many points to count as a change.
THRESHOLD_POINTS = 2.0
#: Any other quantity must move by at least this fraction of its starting value.
THRESHOLD_RELATIVE = 0.10
#: Years that can serve as the pre-war baseline, latest preferred.
BASELINE_YEARS = (2019, 2020, 2021)
#: Confidence: sources needed for "high", and the weakest grade that counts as strong evidence.
HIGH_SOURCES = 3
STRONG_GRADE = 2

PARTNERS = {"RUS": "Russia", "CHN": "China", "THIRD": "third partners", "BOTH": "Russia and China together"}
DOMAINS = ["trade", "energy", "security", "finance", "diplomacy", "people", "opinion"]

TOWARDS_CHINA = "moved towards China"
TOWARDS_RUSSIA = "drawn closer to Russia"
BOTH_CLOSER = "closer to both"
DIVERSIFYING = "diversifying away from both"
LOOSENING = "loosening from Russia"
ANCHORED = "still anchored to Russia"
NO_CHANGE = "no change"
NO_DATA = "too little data to judge"


@dataclass(frozen=True)
class Indicator:
    """One dashboard row: what is measured, in which unit, and whom a rise favours."""

    key: str
    domain: str
    label: str
    unit: str
    toward: str
    series: Callable[[Path | None], pd.DataFrame]
    pair: str = ""

    @property
    def is_share(self) -> bool:
        return self.unit.startswith("%")


# ---------------------------------------------------------------------------------------------- series helpers


def _one_per_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep one value a year: where documents disagree, the one whose source covers most years of the series.

    A series read from one document is internally consistent; mixing documents
    year by year would turn differences of definition into movements.
    """
    frame = frame.dropna(subset=["value"])
    coverage = frame.groupby("source_id")["year"].nunique()
    frame = frame.assign(_coverage=frame["source_id"].map(coverage))
    frame = frame.sort_values(["year", "_coverage", "source_id"], ascending=[True, False, True])
    return frame.drop_duplicates("year")[["year", "value", "source_id"]].reset_index(drop=True)


def _trade_shares(partner: str, reporter: str, package: Path | None) -> pd.DataFrame:
    """A partner's share of Kazakhstan's trade by ``kzdata.partner_share``, with the documents behind each year.

    The share's rules (one reporter, one series a year, Kazakhstan's own world total) are the trade
    module's; the sources are the rows of that reporter and series, and the world total's, in that year.
    """
    shares = partner_share(partner, reporter=reporter, package=package)
    trade = load("bilateral_trade", package=package)
    out = []
    for row in shares.dropna(subset=["share_pct"]).itertuples(index=False):
        year = trade[trade["year"] == row.year]
        own = year[
            (year["partner_iso3"] == partner) & (year["reported_by"] == reporter) & (year["series"] == row.series)
        ]
        world = year[(year["partner_iso3"] == "WLD") & (year["reported_by"] == "KAZ")]
        world = world[world["series"] == row.series] if (world["series"] == row.series).any() else world
        ids = "; ".join(dict.fromkeys([*own["source_id"], *world["source_id"]]))
        out.append({"year": int(row.year), "value": float(row.share_pct), "source_id": ids})
    return pd.DataFrame(out, columns=["year", "value", "source_id"])


def _whole_years(exports: pd.DataFrame) -> pd.DataFrame:
    """Oil export rows that cover a whole year (part-year figures are never annual values)."""
    if "months" in exports.columns:
        exports = exports[exports["months"] == 12]
    return exports


def _oil_share(route: str) -> Callable[[Path | None], pd.DataFrame]:
    """A route's share of Kazakhstan's oil exports, each year from one document that gives both figures."""

    def series(package: Path | None) -> pd.DataFrame:
        exports = _whole_years(load("oil_exports", package=package))
        out = []
        for (year, source), group in exports.groupby(["year", "source_id"]):
            volumes = group.set_index("route")["volume_mt"]
            if {route, "Total"} <= set(volumes.index):
                out.append(
                    {"year": int(year), "value": float(volumes[route] / volumes["Total"] * 100), "source_id": source}
                )
        return _one_per_year(pd.DataFrame(out, columns=["year", "value", "source_id"]))

    return series


def _oil_avoiding_russia(package: Path | None) -> pd.DataFrame:
    """Share of oil exports on identified routes avoiding Russian territory, from ``kzdata.energy``'s route split.

    The economics chapter's split is the one computation of the routes (whole years only). Reuters' separate
    "bypassing Russian ports" count is used only for a year the split lacks.
    """
    split = share_crossing_russia(package)
    out = split.rename(columns={"avoiding_pct": "value", "source_ids": "source_id"})[["year", "value", "source_id"]]
    reuters = _oil_share("Bypassing Russian ports")(package)
    fallback = reuters[~reuters["year"].isin(out["year"])]
    frame = pd.concat([out, fallback] if len(fallback) else [out], ignore_index=True)
    assert frame["year"].is_unique, "one value a year for the share avoiding Russia"
    return frame.sort_values("year").reset_index(drop=True)


def _oil_route(route: str) -> Callable[[Path | None], pd.DataFrame]:
    def series(package: Path | None) -> pd.DataFrame:
        exports = _whole_years(load("oil_exports", package=package))
        rows = exports[exports["route"] == route].rename(columns={"volume_mt": "value"})
        return _one_per_year(rows[["year", "value", "source_id"]])

    return series


def _transit(corridor: str, measure: str) -> Callable[[Path | None], pd.DataFrame]:
    def series(package: Path | None) -> pd.DataFrame:
        transit = load("transit_volumes", package=package)
        rows = transit[(transit["corridor"] == corridor) & (transit["measure"] == measure)]
        return _one_per_year(rows.rename(columns={"value": "value"})[["year", "value", "source_id"]])

    return series


def arms_shares(package: Path | None = None) -> pd.DataFrame:
    """Each supplier group's share of Kazakhstan's arms imports (SIPRI TIV) by year: RUS, CHN and THIRD."""
    arms = load("arms_imports", package=package)
    group = arms["supplier_iso3"].where(arms["supplier_iso3"].isin(["RUS", "CHN"]), "THIRD")
    by_group = arms.assign(group=group).pivot_table(index="year", columns="group", values="tiv_mn", aggfunc="sum")
    by_group = by_group.reindex(columns=["RUS", "CHN", "THIRD"]).fillna(0.0)
    return by_group.div(by_group.sum(axis=1), axis=0) * 100


def _arms(group: str) -> Callable[[Path | None], pd.DataFrame]:
    def series(package: Path | None) -> pd.DataFrame:
        shares = arms_shares(package)[group]
        source = load("arms_imports", package=package)["source_id"].iloc[0]
        frame = pd.DataFrame({"year": shares.index.astype(int), "value": shares.to_numpy(dtype=float)})
        return frame.assign(source_id=source)

    return series


#: Organisations counted under their present name: predecessors and successors are one membership.
LINEAGE = {"CST": "CSTO", "CU": "EAEU", "SH5": "SCO"}


def memberships_at(
    year: int, with_russia: bool, with_china: bool, package: Path | None = None, iso3: str = "KAZ"
) -> list[tuple[str, str]]:
    """(organisation, source_id) of each organisation ``iso3`` belonged to at the end of ``year``, by lineage,
    where Russia's and China's membership at that date match ``with_russia`` and ``with_china``."""
    members = load("memberships", package=package)
    members = members[members["status"] == "member"]
    end = pd.Timestamp(year=year, month=12, day=31)
    active = members[(members["joined"] <= end) & (members["left"].isna() | (members["left"] > end))]
    active = active.assign(lineage=active["organisation"].map(lambda o: LINEAGE.get(o, o)))
    found = []
    for lineage, rows in active.groupby("lineage"):
        states = set(rows["iso3"])
        if iso3 in states and ("RUS" in states) == with_russia and ("CHN" in states) == with_china:
            found.append((str(lineage), rows.loc[rows["iso3"] == iso3, "source_id"].iloc[0]))
    return found


def member_count(package: Path | None, with_russia: bool, with_china: bool, iso3: str = "KAZ") -> pd.DataFrame:
    """How many organisations ``iso3`` belonged to at the end of each year, by whether Russia and China belong."""
    out = []
    for year in range(2014, pd.Timestamp(descriptor(package)["x-data-cutoff"]).year + 1):
        found = memberships_at(year, with_russia, with_china, package, iso3)
        out.append({"year": year, "value": float(len(found)), "source_id": found[0][1] if found else pd.NA})
    return pd.DataFrame(out)


def _csto(package: Path | None) -> pd.DataFrame:
    members = load("memberships", package=package)
    rows = members[(members["iso3"] == "KAZ") & (members["organisation"] == "CSTO")]
    out = []
    for year in range(2014, pd.Timestamp(descriptor(package)["x-data-cutoff"]).year + 1):
        end = pd.Timestamp(year=year, month=12, day=31)
        active = rows[
            (rows["status"] == "member") & (rows["joined"] <= end) & (rows["left"].isna() | (rows["left"] > end))
        ]
        out.append({"year": year, "value": float(len(active) == 1), "source_id": rows["source_id"].iloc[0]})
    return pd.DataFrame(out)


def vote_agreement(partner: str, package: Path | None = None, iso3: str = "KAZ") -> pd.DataFrame:
    """Share of the year's General Assembly votes on Ukraine in which ``iso3`` voted as ``partner`` did."""
    votes = load("unga_votes", package=package)
    resolutions = load("unga_resolutions", package=package)
    years = resolutions.set_index("resolution")["date"].dt.year
    wide = votes.pivot_table(index="resolution", columns="iso3", values="vote", aggfunc="first")
    source = votes[votes["iso3"] == iso3].set_index("resolution")["source_id"]
    if partner not in wide.columns or iso3 not in wide.columns:
        return pd.DataFrame(columns=["year", "value", "source_id"])
    both = wide[[iso3, partner]].dropna()
    both = both.assign(year=both.index.map(years), agree=(both[iso3] == both[partner]).astype(float))
    out = []
    for year, group in both.dropna(subset=["year"]).groupby("year"):
        out.append(
            {"year": int(year), "value": float(group["agree"].mean() * 100), "source_id": source[group.index[-1]]}
        )
    return pd.DataFrame(out, columns=["year", "value", "source_id"])


def _votes(partner: str) -> Callable[[Path | None], pd.DataFrame]:
    return lambda package: vote_agreement(partner, package)


def _fdi(partner: str) -> Callable[[Path | None], pd.DataFrame]:
    """Gross FDI inflow from a partner; the year before the first stated one is implied by its stated change."""

    def series(package: Path | None) -> pd.DataFrame:
        fdi = load("fdi_inflows", package=package)
        rows = fdi[fdi["partner_iso3"] == partner].sort_values("year")
        frame = rows.rename(columns={"value_usd_bn": "value"})[["year", "value", "source_id"]]
        first = rows.iloc[0] if len(rows) else None
        if first is not None and pd.notna(first["change_pct"]) and first["year"] - 1 not in set(rows["year"]):
            implied = float(first["value_usd_bn"]) / (1 + float(first["change_pct"]) / 100)
            extra = pd.DataFrame(
                {"year": [int(first["year"]) - 1], "value": [implied], "source_id": [first["source_id"]]}
            )
            frame = pd.concat([extra, frame], ignore_index=True)
        return _one_per_year(frame)

    return series


def _chinese_finance(package: Path | None) -> pd.DataFrame:
    finance = load("chinese_official_finance", package=package)
    finance = finance[finance["recipient_iso3"] == "KAZ"]
    total = finance.groupby("year")["amount_usd_2021"].sum() / 1e9
    source = finance["source_id"].iloc[0]
    return pd.DataFrame({"year": total.index.astype(int), "value": total.to_numpy(dtype=float), "source_id": source})


def _emigration_to_cis(package: Path | None) -> pd.DataFrame:
    """Share of long-term emigrants leaving for CIS countries (Russia above all), from the Bureau's series."""
    if "long_term_migration" not in names(package):
        return pd.DataFrame(columns=["year", "value", "source_id"])
    flows = load("long_term_migration", package=package)
    departures = flows[flows["flow"] == "departures"].pivot_table(
        index="year", columns="partner_group", values="persons", aggfunc="sum"
    )
    if not {"cis", "total"} <= set(departures.columns):
        return pd.DataFrame(columns=["year", "value", "source_id"])
    share = (departures["cis"] / departures["total"] * 100).dropna()
    source = flows.loc[flows["partner_group"] == "cis", "source_id"].iloc[0]
    return pd.DataFrame({"year": share.index.astype(int), "value": share.to_numpy(dtype=float), "source_id": source})


def _census_russians(package: Path | None) -> pd.DataFrame:
    census = load("census_ethnicity", package=package)
    rows = census[(census["group"] == "Russians") & census["preferred"].fillna(False)]
    return rows.rename(columns={"share_pct": "value"})[["year", "value", "source_id"]].reset_index(drop=True)


def _poll(question: str, answer: str) -> Callable[[Path | None], pd.DataFrame]:
    """A poll answer's share, one wave a year: the last fieldwork of the year."""

    def series(package: Path | None) -> pd.DataFrame:
        polls = load("opinion_polls", package=package)
        rows = polls[(polls["question"] == question) & (polls["answer"] == answer)]
        rows = rows.sort_values(["year", "fieldwork"]).drop_duplicates("year", keep="last")
        return rows.rename(columns={"share_pct": "value"})[["year", "value", "source_id"]].reset_index(drop=True)

    return series


INDICATORS: list[Indicator] = [
    Indicator(
        "trade_rus",
        "trade",
        "Russia's share of Kazakhstan's trade (Kazakh figures)",
        "% of turnover",
        "RUS",
        lambda p: _trade_shares("RUS", "KAZ", p),
        pair="trade",
    ),
    Indicator(
        "trade_chn",
        "trade",
        "China's share of Kazakhstan's trade (Kazakh figures)",
        "% of turnover",
        "CHN",
        lambda p: _trade_shares("CHN", "KAZ", p),
        pair="trade",
    ),
    Indicator(
        "trade_chn_mirror",
        "trade",
        "China's share, China's customs figures over Kazakhstan's total",
        "% of turnover",
        "CHN",
        lambda p: _trade_shares("CHN", "CHN", p),
    ),
    Indicator(
        "trade_eu",
        "trade",
        "EU's share of Kazakhstan's trade (Kazakh figures)",
        "% of turnover",
        "THIRD",
        lambda p: _trade_shares("EUU", "KAZ", p),
    ),
    Indicator(
        "oil_cpc",
        "energy",
        "Share of oil exports shipped through the CPC pipeline across Russia",
        "% of oil exports",
        "RUS",
        _oil_share("CPC"),
        pair="routes",
    ),
    Indicator(
        "oil_bypass",
        "energy",
        "Share of oil exports on routes avoiding Russia (Aktau to Baku, China pipeline)",
        "% of oil exports",
        "THIRD",
        _oil_avoiding_russia,
        pair="routes",
    ),
    Indicator(
        "oil_china",
        "energy",
        "Kazakh oil exported to China by pipeline",
        "million tonnes",
        "CHN",
        _oil_route("Kazakhstan-China pipeline"),
    ),
    Indicator(
        "oil_transit",
        "energy",
        "Russian oil crossing Kazakhstan to China",
        "million tonnes",
        "BOTH",
        _transit("russia_china_oil_transit", "cargo"),
    ),
    Indicator(
        "arms_rus",
        "security",
        "Russia's share of arms imports (SIPRI TIV)",
        "% of TIV",
        "RUS",
        _arms("RUS"),
        pair="arms",
    ),
    Indicator(
        "arms_chn",
        "security",
        "China's share of arms imports (SIPRI TIV)",
        "% of TIV",
        "CHN",
        _arms("CHN"),
        pair="arms",
    ),
    Indicator(
        "arms_third",
        "security",
        "Third suppliers' share of arms imports (SIPRI TIV)",
        "% of TIV",
        "THIRD",
        _arms("THIRD"),
    ),
    Indicator("csto", "security", "Member of the Russian-led CSTO alliance (1 = yes)", "member", "RUS", _csto),
    Indicator("fdi_rus", "finance", "Gross FDI inflow from Russia", "US$ billion", "RUS", _fdi("RUS"), pair="fdi"),
    Indicator("fdi_chn", "finance", "Gross FDI inflow from China", "US$ billion", "CHN", _fdi("CHN"), pair="fdi"),
    Indicator("fdi_usa", "finance", "Gross FDI inflow from the United States", "US$ billion", "THIRD", _fdi("USA")),
    Indicator(
        "finance_chn",
        "finance",
        "Chinese official finance committed (AidData)",
        "US$ billion (2021 prices)",
        "CHN",
        _chinese_finance,
    ),
    Indicator(
        "un_rus",
        "diplomacy",
        "Votes on Ukraine at the UN General Assembly cast as Russia's",
        "% of votes",
        "RUS",
        _votes("RUS"),
        pair="votes",
    ),
    Indicator(
        "un_chn",
        "diplomacy",
        "Votes on Ukraine at the UN General Assembly cast as China's",
        "% of votes",
        "CHN",
        _votes("CHN"),
        pair="votes",
    ),
    Indicator(
        "un_deu",
        "diplomacy",
        "Votes on Ukraine at the UN General Assembly cast as Germany's (EU)",
        "% of votes",
        "THIRD",
        _votes("DEU"),
    ),
    Indicator(
        "orgs_rus",
        "diplomacy",
        "Memberships of organisations with Russia but not China",
        "organisations",
        "RUS",
        lambda p: member_count(p, with_russia=True, with_china=False),
    ),
    Indicator(
        "orgs_chn",
        "diplomacy",
        "Memberships of organisations or summit formats with China but not Russia",
        "organisations",
        "CHN",
        lambda p: member_count(p, with_russia=False, with_china=True),
    ),
    Indicator(
        "orgs_both",
        "diplomacy",
        "Memberships of organisations with both Russia and China",
        "organisations",
        "BOTH",
        lambda p: member_count(p, with_russia=True, with_china=True),
    ),
    Indicator(
        "people_emigration_cis",
        "people",
        "Long-term emigrants leaving for CIS countries",
        "% of emigrants",
        "RUS",
        _emigration_to_cis,
    ),
    Indicator(
        "people_russians", "people", "Russians in the population (census)", "% of population", "RUS", _census_russians
    ),
    Indicator(
        "poll_kremlin",
        "opinion",
        "Respondents giving the Kremlin's account of the war (DEMOSCOPE)",
        "% of respondents",
        "RUS",
        _poll("How do you see the war in Ukraine?", "Kremlin narratives"),
        pair="narratives",
    ),
    Indicator(
        "poll_occupation",
        "opinion",
        "Respondents calling it a war of occupation (DEMOSCOPE)",
        "% of respondents",
        "THIRD",
        _poll("How do you see the war in Ukraine?", "war of occupation and annexation"),
        pair="narratives",
    ),
    Indicator(
        "poll_side_rus",
        "opinion",
        "Respondents siding with Russia in the war (DEMOSCOPE)",
        "% of respondents",
        "RUS",
        _poll("Which side do you support in the war in Ukraine?", "Russia"),
    ),
    Indicator(
        "poll_side_ukr",
        "opinion",
        "Respondents siding with Ukraine in the war (DEMOSCOPE)",
        "% of respondents",
        "THIRD",
        _poll("Which side do you support in the war in Ukraine?", "Ukraine"),
    ),
]


# ---------------------------------------------------------------------------------------------- the rule


def direction(start: float | None, end: float | None, is_share: bool) -> str:
    """'up', 'down' or 'flat' under the thresholds; 'n/a' when either end is missing."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return "n/a"
    change = float(end) - float(start)
    if is_share:
        moved = abs(change) >= THRESHOLD_POINTS
    elif float(start) == 0:
        moved = change != 0
    else:
        moved = abs(change) / abs(float(start)) >= THRESHOLD_RELATIVE
    if not moved:
        return "flat"
    return "up" if change > 0 else "down"


def gained(toward: str, moved: str) -> str:
    """Who gained from a movement: the partner on a rise; on a fall, the partner lost."""
    name = PARTNERS[toward]
    if moved == "up":
        return name[0].upper() + name[1:]
    if moved == "down":
        return f"{name[0].upper() + name[1:]} lost"
    return "nobody" if moved == "flat" else "unknown"


def points(series: pd.DataFrame) -> dict:
    """Baseline, 2022 and latest points of one series under the rule in the module docstring."""
    series = series.dropna(subset=["value"]).sort_values("year")
    by_year = series.set_index("year")
    result = {"baseline_year": None, "baseline": None, "y2022": None, "latest_year": None, "latest": None}
    window = by_year[by_year.index.isin(BASELINE_YEARS)]
    earlier = by_year[by_year.index < min(BASELINE_YEARS)]
    chosen = window if len(window) else earlier
    if len(chosen):
        year = int(chosen.index.max())
        result.update(baseline_year=year, baseline=float(chosen.loc[year, "value"]))
    if 2022 in by_year.index:
        result["y2022"] = float(by_year.loc[2022, "value"])
    later = by_year[by_year.index >= 2022]
    if len(later):
        year = int(later.index.max())
        result.update(latest_year=year, latest=float(later.loc[year, "value"]))
    return result


def source_kinds(package: Path | None = None) -> pd.DataFrame:
    """Each source's kind and grade (1 strongest), from sources.csv and the descriptor's vocabulary."""
    grades = {entry["kind"]: entry["grade"] for entry in descriptor(package)["x-source-kinds"]}
    sources = load("sources", package=package)[["source_id", "publisher", "kind"]]
    return sources.assign(grade=sources["kind"].map(grades).astype("Int64")).set_index("source_id")


def dashboard(package: Path | None = None, indicators: list[Indicator] | None = None) -> pd.DataFrame:
    """One row per indicator: baseline, 2022 and latest values, direction, who gained, sources and their grade."""
    kinds = source_kinds(package)
    rows = []
    for indicator in indicators or INDICATORS:
        series = indicator.series(package)
        found = points(series)
        start_year = found["baseline_year"] if found["baseline"] is not None else 2022
        start = found["baseline"] if found["baseline"] is not None else found["y2022"]
        end = found["latest"] if (found["latest_year"] or 0) > start_year else None
        moved = direction(start, end, indicator.is_share)
        used_years = {y for y in (found["baseline_year"], 2022, found["latest_year"]) if y is not None}
        used = series[series["year"].isin(used_years)]["source_id"].dropna()
        ids = list(dict.fromkeys(i.strip() for cell in used for i in str(cell).split(";") if i.strip()))
        known = kinds.reindex(ids)
        rows.append(
            {
                "domain": indicator.domain,
                "key": indicator.key,
                "indicator": indicator.label,
                "unit": indicator.unit,
                "toward": indicator.toward,
                "pair": indicator.pair,
                **found,
                "change": (end - start) if moved != "n/a" else None,
                "direction": moved,
                "gained": gained(indicator.toward, moved),
                "source_ids": "; ".join(ids),
                "n_sources": len(ids),
                "kinds": "; ".join(dict.fromkeys(known["kind"].dropna())),
                "best_grade": known["grade"].min() if len(known["grade"].dropna()) else pd.NA,
                "publishers": "; ".join(dict.fromkeys(p.split(" (", 1)[0] for p in known["publisher"].dropna())),
            }
        )
    frame = pd.DataFrame(rows)
    for column in ["baseline_year", "latest_year", "n_sources"]:
        frame[column] = frame[column].astype("Int64")
    for column in ["baseline", "y2022", "latest", "change"]:
        frame[column] = frame[column].astype("Float64")
    frame["best_grade"] = frame["best_grade"].astype("Int64")
    return frame


#: For each judgement: (partner, direction) pairs that carry it and that conflict with it.
_CARRY = {
    TOWARDS_CHINA: ({("CHN", "up"), ("RUS", "down")}, {("CHN", "down"), ("RUS", "up")}),
    TOWARDS_RUSSIA: ({("RUS", "up"), ("CHN", "down")}, {("RUS", "down"), ("CHN", "up")}),
    BOTH_CLOSER: ({("RUS", "up"), ("CHN", "up")}, {("RUS", "down"), ("CHN", "down")}),
    LOOSENING: ({("RUS", "down")}, {("RUS", "up"), ("CHN", "up")}),
    DIVERSIFYING: (
        {("RUS", "down"), ("CHN", "down"), ("THIRD", "up")},
        {("RUS", "up"), ("CHN", "up"), ("THIRD", "down")},
    ),
}


def leader(rows: pd.DataFrame) -> str | None:
    """The partner ahead at the latest point on the domain's first comparable pair of indicators."""
    paired = rows[rows["pair"] != ""]
    if paired.empty:
        return None
    first = paired[paired["pair"] == paired["pair"].iloc[0]].dropna(subset=["latest"])
    if first.empty:
        return None
    return str(first.loc[first["latest"].astype(float).idxmax(), "toward"])


def judge(rows: pd.DataFrame) -> dict:
    """The judgement for one domain's dashboard rows, with its confidence and the evidence behind both."""
    scored = rows[rows["toward"].isin(["RUS", "CHN", "THIRD"]) & rows["direction"].isin(["up", "down", "flat"])]
    sign = scored["direction"].map({"up": 1, "down": -1, "flat": 0})
    score = {p: int(sign[scored["toward"] == p].sum()) for p in ("RUS", "CHN", "THIRD")}
    r, c, t = score["RUS"], score["CHN"], score["THIRD"]
    ahead = leader(rows)
    if scored.empty:
        verdict = NO_DATA
    elif c > 0 and r <= 0:
        verdict = TOWARDS_CHINA
    elif r > 0 and c <= 0:
        verdict = TOWARDS_RUSSIA
    elif r > 0 and c > 0:
        verdict = BOTH_CLOSER
    elif r < 0 and c == 0 and t <= 0:
        verdict = LOOSENING
    elif r < 0 or c < 0 or t > 0:
        verdict = DIVERSIFYING
    else:
        verdict = ANCHORED if ahead == "RUS" else NO_CHANGE
    pairs = list(zip(scored["toward"], scored["direction"], strict=True))
    if verdict in _CARRY:
        carry_set, conflict_set = _CARRY[verdict]
        carrying = [pair in carry_set for pair in pairs]
        conflicting = [pair in conflict_set for pair in pairs]
    else:
        carrying = [d == "flat" for _, d in pairs]
        conflicting = [d in ("up", "down") for _, d in pairs]
    carry_rows = scored[pd.Series(carrying, index=scored.index, dtype=bool)]
    ids = list(dict.fromkeys(i.strip() for cell in carry_rows["source_ids"] for i in cell.split(";") if i.strip()))
    grades = carry_rows["best_grade"].dropna()
    best = int(grades.min()) if len(grades) else None
    n_carry, n_conflict = int(sum(carrying)), int(sum(conflicting))
    strong = best is not None and best <= STRONG_GRADE
    if n_carry and len(ids) >= HIGH_SOURCES and strong and n_conflict == 0:
        confidence = "high"
    elif n_carry and (len(ids) >= 2 or strong) and n_conflict < n_carry:
        confidence = "medium"
    else:
        confidence = "low"
    return {
        "judgement": verdict,
        "confidence": confidence,
        "scores": score,
        "leader": ahead,
        "carrying": carry_rows["key"].tolist(),
        "conflicting": scored[pd.Series(conflicting, index=scored.index, dtype=bool)]["key"].tolist(),
        "n_sources": len(ids),
        "best_grade": best,
        "no_data": rows[rows["direction"] == "n/a"]["key"].tolist(),
        "together": rows[(rows["toward"] == "BOTH")]["key"].tolist(),
    }


#: First words of labels that keep their capital inside a sentence.
_PROPER = {"Russia's", "China's", "EU's", "Kazakh", "Chinese", "Russian", "Russians", "SIPRI"}


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: a generic first word loses its capital."""
    first = label.split(" ", 1)[0]
    return label if first in _PROPER or first.isupper() else label[0].lower() + label[1:]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _list(labels: list[str]) -> str:
    labels = [in_sentence(label) for label in labels]
    if not labels:
        return ""
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def threshold_text() -> str:
    return f"{THRESHOLD_POINTS:g} percentage points for a share, {THRESHOLD_RELATIVE:.0%} for any other quantity"


def explain(domain: str, result: dict, rows: pd.DataFrame) -> dict:
    """The judgement in words: a sentence, the reason for its confidence, and what evidence would change it."""
    labels = rows.set_index("key")["indicator"]
    name = domain.capitalize()
    verdict = result["judgement"]
    sentence = f"{name}: {verdict}"
    if verdict in (TOWARDS_CHINA, DIVERSIFYING, LOOSENING) and result["leader"] == "RUS":
        sentence += ", though Russia still leads"
    if verdict == TOWARDS_RUSSIA and result["leader"] == "CHN":
        sentence += ", though China still leads"
    sentence += "."
    carrying = [labels[k] for k in result["carrying"]]
    conflicting = [labels[k] for k in result["conflicting"]]
    grade = result["best_grade"]
    kind = "no graded source" if grade is None else f"best source grade {grade}"
    no_data = [labels[k] for k in result["no_data"]]
    if verdict == NO_DATA:
        reason = "no indicator has a comparable value after 2021"
        changer = f"any sourced value after 2021 for {_list(no_data)}"
    else:
        done = "stayed within the threshold" if verdict in (ANCHORED, NO_CHANGE) else "moved this way"
        reason = f"{_count(len(carrying), 'indicator')} {done}, from {_count(result['n_sources'], 'source')}, {kind}"
        if conflicting:
            reason += f"; {len(conflicting)} moved the other way ({_list(conflicting)})"
        if no_data:
            reason += f"; {len(no_data)} without a comparable post-2021 value"
        if verdict in (ANCHORED, NO_CHANGE):
            changer = f"a move beyond the threshold in any of: {_list(carrying)}"
        else:
            changer = f"a reversal beyond the threshold in {_list(carrying)}"
        if no_data:
            changer += f"; or new values for {_list(no_data)} pointing the other way"
    return {
        "domain": domain,
        "judgement": verdict,
        "confidence": result["confidence"],
        "sentence": sentence,
        "reason": reason[0].upper() + reason[1:] + ".",
        "would_change": changer[0].upper() + changer[1:] + ".",
    }


def judgements(package: Path | None = None, board: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per domain: judgement, confidence, the sentence, the reason and what would change it."""
    board = dashboard(package) if board is None else board
    out = []
    for domain in DOMAINS:
        rows = board[board["domain"] == domain]
        if rows.empty:
            continue
        result = judge(rows)
        out.append({**explain(domain, result, rows), "scores": result["scores"], "leader": result["leader"]})
    return pd.DataFrame(out)
