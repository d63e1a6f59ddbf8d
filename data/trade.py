"""Partner shares and mirror gaps from ``bilateral_trade``: one computation for every chapter.

A partner's share of Kazakhstan's trade used to be computed in each chapter that printed it, in
slightly different ways (a stated turnover over one world total here, exports plus imports over
another there), so the book printed two values for the same year. The rules live here instead,
beside the table they read, and are tested once.

The rules, and why:

- **One reporter at a time.** Kazakhstan's figures and a partner's mirror figures for the same trade
  differ (valuation, timing, re-exports, unrecorded goods), so they are never added or mixed in one
  value. ``reporter`` says whose figures are meant.
- **One series per value.** Where several series of the same reporter cover a year, one is chosen in
  the order of :data:`SERIES_ORDER`: the national statistics office or customs service first (BNS for
  Kazakhstan, FTS for Russia), then the IMF's Direction of Trade Statistics, then customs figures
  quoted in the press (GACC), and a leader's spoken figure last. Asking for ``series`` by name gives
  that series alone.
- **Turnover is exports plus imports** of the same reporter and series; a stated turnover is used only
  when the source gives no split.
- **The denominator is Kazakhstan's own world total**, from the same series where it has one (BNS or
  IMF DOTS), otherwise from the first of :data:`WORLD_ORDER` that covers the year. A partner cannot
  report Kazakhstan's trade with the world, so a mirror share sets the partner's figure over
  Kazakhstan's total: it answers "what share would this trade be, on the partner's count".
- **Duplicates are refused.** Values are laid out with ``DataFrame.pivot``, which raises on two rows for
  the same year and flow, instead of silently taking the first.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kzdata._package import load

SERIES_ORDER = ("BNS", "FTS", "IMF DOTS", "GACC", "statement")
"""Preference among series of one reporter covering the same year, strongest first."""

WORLD_ORDER = ("BNS", "IMF DOTS")
"""Series of Kazakhstan's world totals, in the order used when the value's own series has none."""

FLOWS = ("exports", "imports", "turnover")


def _wide(rows: pd.DataFrame) -> pd.DataFrame:
    """Exports, imports and turnover by year for rows of one reporter, partner and series.

    ``pivot`` raises ``ValueError`` if two rows give the same year and flow: a duplicate in the table
    must be resolved there, not by picking one here.
    """
    flows = rows.pivot(index="year", columns="flow", values="value_usd_bn")
    flows = flows.reindex(columns=list(FLOWS))
    summed = flows["exports"] + flows["imports"]
    flows["turnover"] = summed.combine_first(flows["turnover"])
    return flows.astype(float)


def _by_series(trade: pd.DataFrame, partner_iso3: str, reporter: str, series: str | None) -> pd.DataFrame:
    """One row per year: the chosen series and its exports, imports and turnover (US$ bn)."""
    rows = trade[(trade["partner_iso3"] == partner_iso3) & (trade["reported_by"] == reporter)]
    if series is not None:
        if series not in SERIES_ORDER:
            raise ValueError(f"unknown series {series!r}; expected one of {', '.join(SERIES_ORDER)}")
        rows = rows[rows["series"] == series]
    frames = []
    for name, group in rows.groupby("series"):
        wide = _wide(group).reset_index()
        wide.insert(1, "series", name)
        wide["rank"] = SERIES_ORDER.index(name)
        frames.append(wide)
    if not frames:
        return pd.DataFrame(columns=["year", "series", *FLOWS])
    every = pd.concat(frames, ignore_index=True).dropna(subset=["turnover"])
    chosen = every.sort_values(["year", "rank"]).drop_duplicates("year", keep="first")
    return chosen.drop(columns="rank").sort_values("year").reset_index(drop=True)


def _world(year: int, series: str, totals: dict[str, pd.Series]) -> float:
    """Kazakhstan's world turnover for a year: the value's own series if it has one, else WORLD_ORDER."""
    for name in (series, *WORLD_ORDER):
        if name in totals and year in totals[name].index:
            return float(totals[name][year])
    return float("nan")


def partner_share(
    partner_iso3: str, reporter: str = "KAZ", series: str | None = None, package: Path | None = None
) -> pd.DataFrame:
    """A partner's share of Kazakhstan's goods trade (exports plus imports), year by year.

    ``reporter`` is "KAZ" for Kazakhstan's figures or the partner itself for its mirror figures (China's
    customs for "CHN", Russia's for "RUS"); ``series`` restricts to one series ("BNS", "IMF DOTS",
    "FTS", "GACC", "statement"), else each year takes the first series of :data:`SERIES_ORDER` that
    covers it. Returns columns year, partner_iso3, reporter, series, value_usd_bn, world_usd_bn,
    share_pct, one row per year, sorted by year. See the module docstring for the rules and why.
    ``package`` reads another copy of the data package, as every kzdata function can.
    """
    if partner_iso3 in ("WLD", "KAZ"):
        raise ValueError(f"{partner_iso3!r} is not a partner of Kazakhstan")
    if reporter not in ("KAZ", partner_iso3):
        raise ValueError(f"reporter must be 'KAZ' or the partner {partner_iso3!r}, not {reporter!r}")
    trade = load("bilateral_trade", package=package)
    chosen = _by_series(trade, partner_iso3, reporter, series)
    world_rows = trade[(trade["partner_iso3"] == "WLD") & (trade["reported_by"] == "KAZ")]
    totals = {name: _wide(group)["turnover"].dropna() for name, group in world_rows.groupby("series")}
    out = pd.DataFrame(
        {
            "year": chosen["year"].astype("int64"),
            "partner_iso3": partner_iso3,
            "reporter": reporter,
            "series": chosen["series"].astype("str"),
            "value_usd_bn": chosen["turnover"].astype(float),
            "world_usd_bn": [_world(int(y), s, totals) for y, s in zip(chosen["year"], chosen["series"], strict=True)],
        }
    )
    out["share_pct"] = out["value_usd_bn"] / out["world_usd_bn"] * 100
    return out.reset_index(drop=True)


def mirror_gap(partner_iso3: str, series: str | None = None, package: Path | None = None) -> pd.DataFrame:
    """Kazakhstan's and the partner's figures for the same trade, side by side, for every year both give.

    One row per year and flow (exports, imports, turnover; flows seen from Kazakhstan, so "imports" sets
    Kazakhstan's imports against the partner's exports to Kazakhstan). ``series`` restricts both
    reporters to one series (e.g. "IMF DOTS", the only series all three countries report in); else each
    reporter's year takes its preferred series. Columns: year, partner_iso3, flow, kaz_usd_bn,
    partner_usd_bn, kaz_series, partner_series, gap_usd_bn (partner minus Kazakhstan) and gap_pct
    (the gap as a percentage of Kazakhstan's figure). Flows a source does not split are left out.
    """
    trade = load("bilateral_trade", package=package)
    kaz = _by_series(trade, partner_iso3, "KAZ", series).melt(
        id_vars=["year", "series"], value_vars=list(FLOWS), var_name="flow", value_name="kaz_usd_bn"
    )
    other = _by_series(trade, partner_iso3, partner_iso3, series).melt(
        id_vars=["year", "series"], value_vars=list(FLOWS), var_name="flow", value_name="partner_usd_bn"
    )
    both = kaz.merge(other, on=["year", "flow"], suffixes=("_kaz", "_partner")).dropna(
        subset=["kaz_usd_bn", "partner_usd_bn"]
    )
    out = pd.DataFrame(
        {
            "year": both["year"].astype("int64"),
            "partner_iso3": partner_iso3,
            "flow": both["flow"].astype("str"),
            "kaz_usd_bn": both["kaz_usd_bn"].astype(float),
            "partner_usd_bn": both["partner_usd_bn"].astype(float),
            "kaz_series": both["series_kaz"].astype("str"),
            "partner_series": both["series_partner"].astype("str"),
        }
    )
    out["gap_usd_bn"] = out["partner_usd_bn"] - out["kaz_usd_bn"]
    out["gap_pct"] = out["gap_usd_bn"] / out["kaz_usd_bn"] * 100
    return out.sort_values(["year", "flow"]).reset_index(drop=True)
