"""The student screen's charts: plotext's figure class imported on its own (not plotext's package,
which builds its whole documentation and a global figure: ~0.9 MiB kept for good), drawing exactly
what textual-plotext's `Plot` draws."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from paratui.app import chart

CHARTS = [
    (chart.ChartData(("11-18", "11-19", "11-20", "11-23"), (40.0, 80.0, 100.0, 100 / 3), "%", 80.0), 60, 9),
    (chart.ChartData(tuple(f"10-{d:02d}" for d in range(1, 31)), tuple(float(d % 7) for d in range(30)),
                     "count", None), 116, 11),
    (chart.ChartData(("09-01", "09-02"), (95.0, 42.5), "s", 60.0), 20, 9),
]


def _drawn() -> list[tuple[str, list[str]]]:
    return [(t.plain, [str(s) for s in t.spans]) for t in (chart.draw(d, w, h) for d, w, h in CHARTS)]


def test_charts_draw_without_plotexts_package_and_as_textual_plotext_draws_them():
    code = ("import json, sys\n"
            "from tests.test_chart import _drawn\n"
            "drawn = _drawn()\n"
            "print(json.dumps([drawn, sorted(m for m in sys.modules if 'plotext' in m)]))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    assert out.stderr == ""
    drawn, modules = json.loads(out.stdout)  # nothing else printed (plotext warns on stdout)
    assert "plotext._figure" in modules
    assert not {"plotext", "plotext._doc", "plotext._core", "plotext._global", "textual_plotext"} & set(modules)

    from textual_plotext import Plot

    chart.release()
    chart._figure = Plot()  # what the screen drew before: textual-plotext's figure
    try:
        assert [[plain, spans] for plain, spans in _drawn()] == drawn
    finally:
        chart.release()
