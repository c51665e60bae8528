"""Small-number suppression: the one place that decides which figures may be shown.

Every figure that leaves the service (the page, its charts, the CSV, the PDF and the JSON)
passes through here, so they cannot disagree about what is hidden.

- Any count from 1 to 4 could point to one child, so it is hidden ("primary" suppression).
- A hidden count must not be worked out from the others: in every set of parts and their
  total, either nothing is hidden or at least two cells are, and hidden parts of a shown total
  never add up to just one each (zeros are shown, so two hidden cells adding up to 2 are 1
  and 1). Otherwise the smallest other part is hidden too ("secondary" suppression),
  repeated until every set holds.
- Figures that are not parts of a total (the stages of the pathway, each a subset of the one
  before) are rounded to the nearest 5 instead, so that no difference between them is exact.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

SMALLEST_SHOWN = 5
ROUND_TO = 5


def too_small(count: int) -> bool:
    """A count that could point to one child: 1 to 4 (0 says nothing about anyone)."""
    return 0 < count < SMALLEST_SHOWN


def rounded(count: int) -> int | None:
    """A stage of a flow: None (hidden) under 5, otherwise to the nearest 5."""
    if too_small(count):
        return None
    return ROUND_TO * round(count / ROUND_TO)


@dataclass
class Linked:
    """Cells (any hashable key to its count) and the sets of parts that add up to a total."""

    values: dict[Hashable, int]
    sums: list[tuple[Sequence[Hashable], Hashable]] = field(default_factory=list)
    # Cells decided elsewhere (shared by other tables): never newly hidden here.
    fixed: set[Hashable] = field(default_factory=set)

    def hidden(self, already: set[Hashable] | None = None) -> set[Hashable]:
        """The keys to hide: the small counts, and enough others that none can be derived."""
        hide = {key for key, count in self.values.items() if too_small(count)}
        hide |= already or set()
        changed = True
        while changed:
            changed = False
            for parts, total in self.sums:
                members = [*parts, total]
                if not self._derivable(parts, total, hide, sum(key in hide for key in members)):
                    continue
                extra = self._second(parts, total, hide)
                if extra is not None:
                    hide.add(extra)
                    changed = True
        return hide

    def _derivable(
        self, parts: Sequence[Hashable], total: Hashable, hide: set[Hashable], hidden: int
    ) -> bool:
        """Whether a hidden cell of this set can be worked out: it is the only one hidden; or
        the total is shown and the hidden parts add up to no more than one each, so (zeros
        being shown) every one of them must be 1."""
        if hidden == 1:
            return True
        if hidden == 0 or total in hide:
            return False
        return sum(self.values[key] for key in parts if key in hide) <= hidden

    def _second(
        self, parts: Sequence[Hashable], total: Hashable, hide: set[Hashable]
    ) -> Hashable | None:
        free = [key for key in parts if key not in hide and key not in self.fixed]
        # The smallest non-zero part hides the least; a zero is hidden only as a last resort.
        for candidates in ([key for key in free if self.values[key] > 0], free):
            if candidates:
                return min(candidates, key=lambda key: self.values[key])
        if total not in hide and total not in self.fixed:
            return total
        return None


def protect_list(counts: Sequence[int], total: int) -> tuple[list[bool], bool]:
    """Which of a list of parts, and their total, to hide."""
    linked = Linked(values={**dict(enumerate(counts)), "total": total})
    linked.sums.append((list(range(len(counts))), "total"))
    hide = linked.hidden()
    return [index in hide for index in range(len(counts))], "total" in hide


def protect_grid(
    cells: Sequence[Sequence[int]], *, column_hidden: Sequence[bool], grand_hidden: bool
) -> tuple[list[list[bool]], list[bool]]:
    """Which cells of a table, and of its row totals, to hide.

    The column totals and the grand total are decided first, as a list (`protect_list`), so
    that two tables cutting the same figures differently (by week, by kind of place) hide the
    same totals; here they are fixed, and only inner cells and row totals are added.
    """
    rows, columns = len(cells), len(column_hidden)
    values: dict[Hashable, int] = {}
    for r, row in enumerate(cells):
        for c, count in enumerate(row):
            values[(r, c)] = count
        values[(r, "total")] = sum(row)
    for c in range(columns):
        values[("total", c)] = sum(row[c] for row in cells)
    values["grand"] = sum(values[("total", c)] for c in range(columns))
    fixed: set[Hashable] = {("total", c) for c in range(columns)} | {"grand"}
    linked = Linked(values=values, fixed=fixed)
    for r in range(rows):
        linked.sums.append(([(r, c) for c in range(columns)], (r, "total")))
    for c in range(columns):
        linked.sums.append(([(r, c) for r in range(rows)], ("total", c)))
    linked.sums.append(([(r, "total") for r in range(rows)], "grand"))
    already: set[Hashable] = {("total", c) for c in range(columns) if column_hidden[c]}
    if grand_hidden:
        already.add("grand")
    hide = linked.hidden(already)
    inner = [[(r, c) in hide for c in range(columns)] for r in range(rows)]
    return inner, [(r, "total") in hide for r in range(rows)]
