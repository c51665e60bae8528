"""Charts drawn on the server as SVG with matplotlib, made safe for the dashboard's strict CSP.

matplotlib is used (not pygal) because it is the best-kept Python charting library and its
SVG backend needs no script at all. Its SVG carries `style="..."` attributes and a <style>
element, which the dashboard's policy (`style-src 'nonce-…'`, no 'unsafe-inline') blocks; each
declaration is therefore moved into the SVG presentation attribute of the same name
(`fill`, `stroke`, `font-size`, ...), which CSP does not govern, and the <style> is dropped.
"""

from __future__ import annotations

import functools
import io
import threading
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import matplotlib

matplotlib.use("svg")  # no display, no GUI toolkit: the SVG backend only

from matplotlib.figure import Figure  # noqa: E402 - after choosing the backend
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.textpath import text_to_path  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from service.figures import HIDDEN_WORDS, Table  # noqa: E402

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)
BAR = "#23395d"
FONT_SIZE = 10
# Margins in inches round the bars: the axis label and its numbers below, half the last number
# to the right, and (in points) the ticks and a little air between the labels and the bars.
BOTTOM, RIGHT, TOP = 0.55, 0.25, 0.1
LABEL_GAP = 14
# rcParams are global to matplotlib; charts are drawn one at a time.
_drawing = threading.Lock()


def bar_chart(table: Table, *, chart_id: str) -> str:
    """A horizontal bar chart of `table.chart` as inline SVG; hidden figures say so in words."""
    bars = tuple((cell.label, cell.value, cell.suppressed) for cell in table.chart)
    return _drawn(bars, title=table.title, unit=table.unit, chart_id=chart_id)


@functools.lru_cache(maxsize=64)  # about 15 kB each: a second look at the same figures is free
def _drawn(
    bars: tuple[tuple[str, float | None, bool], ...], *, title: str, unit: str, chart_id: str
) -> str:
    """The chart of these (label, value, hidden) bars, top first: the same bars, the same SVG."""
    labels = [label for label, _, _ in bars][::-1]
    values = [value or 0 for _, value, _ in bars][::-1]
    words = [HIDDEN_WORDS if hidden else _number(value) for _, value, hidden in bars][::-1]
    with (
        _drawing,
        matplotlib.rc_context(
            {"svg.fonttype": "none", "svg.hashsalt": chart_id, "font.size": FONT_SIZE}
        ),
    ):
        width, height = 7.0, max(2.0, 0.4 * len(bars) + 1.0)
        figure = Figure(figsize=(width, height))
        # Margins worked out from the labels, not by a layout engine: matplotlib's constrained
        # layout drew each chart twice, and the six charts were most of the figures page's time.
        left = min((_widest(labels) + LABEL_GAP) / 72, width / 2)  # half the width at most
        figure.subplots_adjust(
            left=left / width,
            right=1 - RIGHT / width,
            bottom=BOTTOM / height,
            top=1 - TOP / height,
        )
        axes = figure.subplots()
        axes.barh(labels, values, color=BAR)
        top = max(values, default=0) or 1
        axes.set_xlim(0, top * 1.25)
        for y, (value, word) in enumerate(zip(values, words, strict=True)):
            axes.text(value + top * 0.01, y, word, va="center", fontsize=9)
        axes.set_xlabel(unit)
        if unit != "minutes":  # counts: whole numbers on the axis
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _strict(buffer.getvalue(), chart_id=chart_id, name=f"Chart: {title}")


def _widest(labels: Sequence[str]) -> float:
    """The widest label in points, measured with the font the chart draws it in."""
    font = FontProperties(size=FONT_SIZE)
    return max(
        (
            text_to_path.get_text_width_height_descent(label, font, ismath=False)[0]
            for label in labels
        ),
        default=0.0,
    )


def _number(value: float | None) -> str:
    value = value or 0
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _strict(svg: str, *, chart_id: str, name: str) -> str:
    """The SVG with every style attribute turned into presentation attributes, and no <style>,
    no metadata and no fixed size (it scales to its column)."""
    root = ET.fromstring(svg)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG}}}style", f"{{{SVG}}}metadata"):
                parent.remove(child)
    href = f"{{{XLINK}}}href"
    for element in root.iter():
        # Several charts share a page: every id is made the chart's own, and so is every link.
        if "id" in element.attrib:
            element.set("id", f"{chart_id}-{element.get('id')}")
        if element.get(href, "").startswith("#"):
            element.set(href, f"#{chart_id}-{element.get(href, '')[1:]}")
        if element.get("clip-path", "").startswith("url(#"):
            element.set("clip-path", f"url(#{chart_id}-{element.get('clip-path', '')[5:]}")
        style = element.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                prop, _, value = declaration.partition(":")
                if prop.strip() and value.strip():
                    element.set(prop.strip(), value.strip())
    # What the dropped <style> said for every element, said once where it is inherited.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    for size in ("width", "height"):
        root.attrib.pop(size, None)
    root.set("class", "chart")
    root.set("role", "img")
    root.set("id", chart_id)
    root.set("aria-label", name)  # role="img" needs a name; the summary describes it
    root.set("aria-describedby", f"{chart_id}-summary")
    root.set("focusable", "false")
    return ET.tostring(root, encoding="unicode")
