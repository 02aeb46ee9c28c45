"""The monthly report's problem column, worked out for every case by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sync.reports.monthly import problem_texts


def test_each_overdue_or_warned_task_says_what_is_wrong() -> None:
    bad = pd.DataFrame({"role": ["overdue", "warning", "warning", "warning", "warning"],
                        "days_overdue": [3.0, -2.0, -1.0, np.nan, -5.0],
                        "progress_lag": [40.0, 12.5, 0.5, 30.4, 13.5],
                        "workdays_left": [np.nan, 2.0, 1.0, np.nan, 0.0]})
    assert problem_texts(bad).tolist() == ["逾期 3 天未闭合", "进度滞后 12 个百分点，距截止 2 个工作日", "距截止 1 个工作日",
                                           "进度滞后 30 个百分点", "进度滞后 14 个百分点，距截止 0 个工作日"]
