"""The digest chart's axes: whole-number counts in Vietnamese form, dates that show their year."""

from datetime import date

from bot import charts


def test_count_labels_are_whole_vietnamese_numbers():
    assert charts.count_label(1500.0) == "1.500"
    assert charts.count_label(2.0) == "2"
    assert charts.count_label(12345) == "12.345"


def test_date_format_shows_the_year_when_it_matters():
    assert charts.date_format([date(2025, 3, 3), date(2025, 6, 2)]) == "%d/%m"
    assert charts.date_format([date(2025, 12, 1), date(2026, 2, 2)]) == "%m/%Y"
    assert charts.date_format([date(2026, 1, 5)]) == "%d/%m/%Y"


def test_chart_axes_use_integer_ticks_and_the_formatter():
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig, (bars, line) = plt.subplots(1, 2)
    try:
        charts._completion(bars, {"xã": [1200, 300, 40], "phường": [3, 1, 0]})
        charts._nominations(line, [(date(2025, 12, 29), 1), (date(2026, 1, 5), 3)])
        fig.canvas.draw()
        for axis in (bars.xaxis, line.yaxis):
            assert isinstance(axis.get_major_locator(), MaxNLocator)
            assert isinstance(axis.get_major_formatter(), FuncFormatter)
            labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
            assert labels and all(lbl.replace(".", "").isdigit() for lbl in labels), labels
        assert any("." in t.get_text() for t in bars.xaxis.get_ticklabels())  # 1.500, not 1500
        assert any("/2026" in t.get_text() for t in line.xaxis.get_ticklabels())
    finally:
        plt.close(fig)
