"""The digest's chart: report completion per unit group, and nominations over time (PNG).

matplotlib with the Agg backend: no screen on a server. Imported on first use, since loading it
costs about half a second that most updates never need.
"""

from __future__ import annotations

import io
from datetime import date

from bot import vn_format

# Colours a printed black-and-white copy still tells apart.
ON_TIME, LATE, MISSING, LINE = "#2e7d32", "#f9a825", "#c62828", "#1565c0"
MAX_GROUPS = 8


def digest_chart(title: str, by_kind: dict[str, list[int]], weekly: list[tuple[date, int]]) -> bytes:
    """Two panels: stacked bars (đúng hạn / trễ / chưa nộp) per unit kind; nominations per week."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt

    fig, (bars, line) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=100)
    try:
        fig.suptitle(title, fontsize=11)
        _completion(bars, by_kind)
        _nominations(line, weekly)
        fig.tight_layout(rect=(0, 0, 1, 0.93))
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def _completion(ax, by_kind: dict[str, list[int]]) -> None:  # noqa: ANN001 - a matplotlib Axes
    ax.set_title("Nộp báo cáo kỳ hiện tại theo nhóm đơn vị", fontsize=10)
    if not by_kind:
        ax.text(0.5, 0.5, "Chưa có kỳ báo cáo đang mở", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    groups = sorted(by_kind.items(), key=lambda kv: -sum(kv[1]))
    if len(groups) > MAX_GROUPS:  # the smallest groups together, so the labels stay readable
        rest = [sum(c[i] for _, c in groups[MAX_GROUPS - 1:]) for i in range(3)]
        groups = groups[:MAX_GROUPS - 1] + [("khác", rest)]
    names = [kind.capitalize() for kind, _ in groups][::-1]
    on_time, late, missing = ([c[i] for _, c in groups][::-1] for i in range(3))
    ax.barh(names, on_time, color=ON_TIME, label="Đúng hạn")
    ax.barh(names, late, left=on_time, color=LATE, label="Nộp trễ")
    ax.barh(names, missing, left=[a + b for a, b in zip(on_time, late)], color=MISSING, label="Chưa nộp")
    ax.set_xlabel("Số đơn vị")
    _count_axis(ax.xaxis)
    # Under the axis: inside it would hide the bars of the last group.
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)


def _nominations(ax, weekly: list[tuple[date, int]]) -> None:  # noqa: ANN001 - a matplotlib Axes
    ax.set_title("Đề xuất điển hình theo tuần", fontsize=10)
    if not weekly:
        ax.text(0.5, 0.5, "Chưa có đề xuất", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    days = [w for w, _ in weekly]
    ax.plot(days, [n for _, n in weekly], color=LINE, marker="o", markersize=3)
    ax.set_ylabel("Số đề xuất")
    ax.set_ylim(bottom=0)
    _count_axis(ax.yaxis)
    ax.tick_params(axis="x", labelsize=8, rotation=30)
    from matplotlib.dates import DateFormatter

    ax.xaxis.set_major_formatter(DateFormatter(date_format(days)))
    if len(days) == 1:  # one point: its own tick, so its date (with the year) still shows
        ax.set_xticks(days)


def count_label(value: float, _pos: object = None) -> str:
    """A count axis's tick label in Vietnamese form: 1500 → '1.500'."""
    return vn_format.number(round(value))


def date_format(days: list[date]) -> str:
    """'%d/%m' within one year; '%m/%Y' when the weeks cross a year; '%d/%m/%Y' for one week."""
    if len(days) == 1:
        return "%d/%m/%Y"
    return "%d/%m" if min(days).year == max(days).year else "%m/%Y"


def _count_axis(axis) -> None:  # noqa: ANN001 - a matplotlib Axis
    """Whole-number ticks (counts have no halves), labelled the Vietnamese way."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(count_label))
