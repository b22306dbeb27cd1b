"""The closing report of an import: what was added, what was skipped, and why."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

# How many examples to name per skip reason before just counting.
EXAMPLES = 5


@dataclass
class Summary:
    """Counts of what an import added and, per reason, what it skipped."""

    source: str
    added: Counter[str] = field(default_factory=Counter)
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, count: int = 1) -> None:
        """Count something added (e.g. 'post', 'comment', 'pingback')."""
        self.added[what] += count

    def skip(self, reason: str, example: str) -> None:
        """Record one item left out and why."""
        self.skipped[reason].append(example)

    def note(self, message: str) -> None:
        """Record something the user should know that is neither an addition nor a skip."""
        self.notes.append(message)

    def skipped_count(self, reason_start: str = "") -> int:
        """Count skipped items whose reason starts with reason_start."""
        return sum(len(items) for reason, items in self.skipped.items() if reason.startswith(reason_start))

    def lines(self) -> list[str]:
        """Render the report as lines of text for the terminal."""
        out = [f"Imported from {self.source}:"]
        if self.added:
            out += [f"  {count:>5}  {what}" for what, count in sorted(self.added.items())]
        else:
            out.append("  nothing new")
        if self.skipped:
            out.append("Skipped:")
            for reason, items in sorted(self.skipped.items()):
                named = ", ".join(items[:EXAMPLES]) + (
                    f", … ({len(items) - EXAMPLES} more)" if len(items) > EXAMPLES else ""
                )
                out.append(f"  {len(items):>5}  {reason}: {named}")
        if self.notes:
            out.append("Notes:")
            out += [f"  - {note}" for note in self.notes]
        return out
