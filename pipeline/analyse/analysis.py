"""The analysis of one build, computed once (pure): each target's series and progress, the data's
date and the release date. Charts, pages, exports and downloads read it and compute nothing again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from pipeline.analyse.progress import progress_table, release_date
from pipeline.analyse.series import aggregate, all_series, series_table
from pipeline.basics.problems import Problem, problems_frame, sort_problems
from pipeline.combine.dataset import Dataset
from pipeline.config import Config


@dataclass(frozen=True)
class Analysis:
    config: Config
    dataset: Dataset
    problems: list[Problem]
    series: dict[str, pd.DataFrame]  # target id -> value per reported period (series.count_series / share_series)
    series_table: pd.DataFrame  # every target's series with running totals and target paths (target_series.csv)
    progress: pd.DataFrame  # every target's windows (progress.PROGRESS_COLUMNS; target_progress.csv)
    as_of: dt.date | None  # the end of the latest period the files cover (数据截至)
    released_on: dt.date | None  # the date of this release (releases/assemble.py: release_date)

    @cached_property
    def headlines(self) -> pd.DataFrame:
        """One row per target: the window the home page and the status counts use."""
        return self.progress[self.progress["is_headline"]]

    def headline(self, target_id: str) -> dict:
        return self.headlines[self.headlines["target_id"] == target_id].iloc[0].to_dict()

    def windows(self, target_id: str) -> pd.DataFrame:
        return self.progress[self.progress["target_id"] == target_id]

    @cached_property
    def status_counts(self) -> dict[str, int]:
        """Targets per status of their headline window, for every status (in the configured order)."""
        counts = self.headlines["status"].value_counts()
        return {s: int(counts.get(s, 0)) for s in self.config.method.statuses}

    @property
    def good_count(self) -> int:
        """Targets achieved or on track (the headline figure)."""
        return sum(n for s, n in self.status_counts.items() if self.config.method.status(s).good)

    @property
    def plan_over(self) -> bool:
        """The plan has ended (the release is dated after its end, or the data reach it): the site
        gives the plan's result in the words of an ended plan, never of its pace."""
        end = self.config.plan.end
        return (self.released_on is not None and self.released_on > end) or (self.as_of is not None and self.as_of >= end)

    @property
    def unsettled(self) -> pd.DataFrame:
        """The headline windows neither achieved nor missed (incomplete, no data, not yet due)."""
        return self.headlines[~self.headlines["status"].isin(["achieved", "missed"])]

    @property
    def headline_zh(self) -> str:
        """The headline count: during the plan, how many targets are achieved or on track; once it
        has ended, how many were achieved, missed, and not yet known (their figures not all in)."""
        total = len(self.headlines)
        if not self.plan_over:
            return f"{total} 项目标中，{self.good_count} 项已完成或进度正常"
        counts = self.status_counts
        text = f"规划期已结束：{total} 项目标中，{counts['achieved']} 项达到目标，{counts['missed']} 项未达到"
        return text + (f"，{len(self.unsettled)} 项数据未报齐" if len(self.unsettled) else "")

    @cached_property
    def problems_table(self) -> pd.DataFrame:
        """Every problem and warning, errors first (problems.csv and the data-quality page)."""
        return problems_frame(sort_problems(self.problems))

    @property
    def final_count(self) -> int:
        """Targets whose result is final (every figure it needs is in)."""
        return int(self.headlines["final"].sum())

    @cached_property
    def listed_statuses(self) -> list[str]:
        """The statuses the home page lists: those with targets, and those of the plan's phase
        (config/method.yml `while`): no pace status once the plan has ended."""
        counts, method = self.status_counts, self.config.method
        return [s for s in method.statuses if counts[s] or method.status(s).listed_when(self.plan_over)]


def analyse(config: Config, dataset: Dataset, problems: list[Problem], released_on: dt.date | None = None) -> Analysis:
    """From the cleaned data to every figure the site publishes, as of the release's date (by
    default, for a set of files with no release: the latest date the files give)."""
    used = dataset.submissions[dataset.submissions["status"] == "used"] if len(dataset.submissions) else dataset.submissions
    released = released_on or release_date(dataset.submissions)
    series = all_series(config, aggregate(dataset.observations))
    return Analysis(config=config, dataset=dataset, problems=problems, series=series,
                    series_table=series_table(config, series),
                    progress=progress_table(config, series, dataset.submissions, released),
                    as_of=max(used["coverage_end"]) if len(used) else None, released_on=released)
