"""Each target's figures over time (pure): which observations count towards it, its value per
reported period, and the files and rows each value comes from. Computed once per build; progress,
charts, pages and downloads read these."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

import pandas as pd

from pipeline.analyse.progress import elapsed_fraction
from pipeline.config import Config, Target

PERIOD_KEYS = ["period", "period_start", "period_end"]


def aggregate(observations: pd.DataFrame) -> pd.DataFrame:
    """Observations summed per indicator, breakdown and period: all that progress needs (a list of a
    million records becomes a few hundred rows)."""
    keys = ["indicator", "breakdown", *PERIOD_KEYS]
    out = observations.groupby(keys, as_index=False, sort=False, observed=True)["value"].sum()
    out["value"] = out["value"].astype("int64")
    return out


def measure_rows(frame: pd.DataFrame, target: Target) -> pd.DataFrame:
    """The rows (observations or their aggregate) that count towards a target: its indicator, and
    for a count target its breakdown values (a share target needs every breakdown value: the
    whole is its denominator)."""
    rows = frame[frame["indicator"] == target.measure.indicator]
    if target.measure.breakdown and not target.measure.share_of:
        rows = rows[rows["breakdown"].isin(target.measure.breakdown)]
    return rows


def count_series(aggregated: pd.DataFrame, target: Target) -> pd.DataFrame:
    """Value per reported period (label, first and last day, whole number), oldest first."""
    rows = measure_rows(aggregated, target)
    series = rows.groupby(PERIOD_KEYS, as_index=False)["value"].sum()
    series["value"] = series["value"].astype("int64")
    return series.sort_values(["period_end", "period_start"]).reset_index(drop=True)


def share_series(aggregated: pd.DataFrame, target: Target) -> pd.DataFrame:
    """Share (in the target's unit) at the end of each reported period, with its numerator and
    denominator (whole numbers)."""
    rows = measure_rows(aggregated, target)
    kept = rows["breakdown"].isin(target.measure.breakdown or rows["breakdown"].unique())
    num = rows[kept].groupby(PERIOD_KEYS)["value"].sum().rename("numerator")
    den = rows.groupby(PERIOD_KEYS)["value"].sum().rename("denominator")
    series = pd.concat([num, den], axis=1).fillna(0).astype("int64").reset_index()
    series = series[series["denominator"] > 0]
    series["value"] = series["numerator"] / series["denominator"] * target.share_scale
    return series.sort_values(["period_end", "period_start"]).reset_index(drop=True)


def level_series(aggregated: pd.DataFrame, target: Target) -> pd.DataFrame:
    """A stock's level (its kept breakdown values summed) at the end of each reported period."""
    return count_series(aggregated, target)


def ratio_series(aggregated: pd.DataFrame, target: Target) -> pd.DataFrame:
    """A ratio per N (so many per 10,000 residents) at each date both its indicators were reported for: the
    numerator's level over the denominator's level (its kept breakdown values, or all), times the
    scale. The two may come from different forms: a date with only one of them gives no value."""
    per = target.measure.per
    num = count_series(aggregated, target).rename(columns={"value": "numerator"})
    rows = aggregated[aggregated["indicator"] == per.indicator]
    if per.breakdown:
        rows = rows[rows["breakdown"].isin(per.breakdown)]
    den = rows.groupby(PERIOD_KEYS, as_index=False)["value"].sum().rename(columns={"value": "denominator"})
    # joined on the day the levels are at: a yearly form's 2012 and a quarterly form's 2012Q4 meet
    series = num.merge(den[["period_end", "denominator"]], on="period_end", how="inner")
    series = series[series["denominator"] > 0].copy()
    series["numerator"] = series["numerator"].astype("int64")
    series["denominator"] = series["denominator"].astype("int64")
    series["value"] = series["numerator"] / series["denominator"] * per.scale
    return series.sort_values(["period_end", "period_start"]).reset_index(drop=True)


def provenance(observations: pd.DataFrame, target: Target) -> dict[str, list[dict]]:
    """Per period label: the files and rows its figure comes from."""
    out: dict[str, list[dict]] = {}
    rows = measure_rows(observations, target)
    per = target.measure.per
    if per is not None:  # a ratio: its denominator's rows too, under the numerator's period of the same day
        den = observations[observations["indicator"] == per.indicator]
        if per.breakdown:
            den = den[den["breakdown"].isin(per.breakdown)]
        label_of = dict(zip(rows["period_end"], rows["period"]))
        den = den[den["period_end"].isin(label_of)].assign(period=lambda f: f["period_end"].map(label_of))
        rows = pd.concat([rows, den], ignore_index=True)
    for (period, file), group in rows.groupby(["period", "file"], sort=True, observed=True):
        derived = group["derivation"].ne("") if "derivation" in group else pd.Series(False, index=group.index)
        out.setdefault(period, []).append({"file": file, "name": PurePosixPath(file).name,
                                           "first": int(group["row"].min()), "last": int(group["row"].max()),
                                           "count": int(group["row"].nunique()),
                                           # a running total less the months already reported (nesting.py)
                                           "derived": bool(derived.any())})
    return out


def all_series(config: Config, aggregated: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every target's series (count or share), by target id."""
    kinds = {"end_state": share_series, "level": level_series, "ratio": ratio_series}
    return {t.id: kinds.get(t.kind, count_series)(aggregated, t) for t in config.targets}


SERIES_COLUMNS = ["target_id", "scope", "period", "period_start", "period_end", "value", "running_total",
                  "target_path", "numerator", "denominator"]


def series_table(config: Config, series: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per target and reported period: the value, the running total within its window, and where
    the target path stands at that date (the figures of the charts and of the tables under them)."""
    plan = config.plan
    plan_scope = f"{plan.start.year}-{plan.end.year}"
    frames = []
    for target in config.targets:
        s = series[target.id].copy()
        if s.empty:
            continue
        if target.is_level:
            base, base_date = s["value"].iloc[0], s["period_end"].iloc[0]
            s["scope"] = plan_scope
            s["running_total"] = None
            s["target_path"] = [base + (target.value - base) * elapsed_fraction(base_date + dt.timedelta(days=1), plan.end, d)
                                for d in s["period_end"]]
            if target.kind == "level":
                s["numerator"] = None
                s["denominator"] = None
        else:
            if target.kind == "cumulative":
                s["scope"] = plan_scope
                s["running_total"] = s["value"].cumsum()
                s["target_path"] = [target.value * elapsed_fraction(plan.start, plan.end, d) for d in s["period_end"]]
            else:
                s["scope"] = s["period_end"].map(lambda d: str(d.year))
                s["running_total"] = s.groupby("scope")["value"].cumsum()
                s["target_path"] = [target.value * elapsed_fraction(dt.date(d.year, 1, 1), dt.date(d.year, 12, 31), d)
                                    for d in s["period_end"]]
            s["numerator"] = None
            s["denominator"] = None
        s.insert(0, "target_id", target.id)
        s["value"] = s["value"].astype(object)  # counts stay whole numbers beside the shares' fractions
        frames.append(s)
    if not frames:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[SERIES_COLUMNS]
    for column in ("running_total", "numerator", "denominator"):
        out[column] = out[column].astype("Int64")
    return out
