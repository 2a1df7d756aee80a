"""Findings about a file, in the shared vocabulary (``renkei.quality.findings``).

Every problem says where (row, column), what, and how the inspection handled it, in English
and Japanese, so that the loader and the publisher read the same report.
"""

from __future__ import annotations

from renkei.quality.findings import Finding, Location, Severity

# One kind of problem is reported at most this many times per file, then summarised.
MAX_PER_RULE = 20


def finding(
    rule: str,
    severity: str,
    message: str,
    message_ja: str,
    *,
    fix: str = "",
    fix_ja: str = "",
    row: int | None = None,
    column: int | None = None,
    column_name: str | None = None,
    sheet: str | None = None,
) -> Finding:
    return Finding(
        rule=f"ingest.{rule}",
        severity=Severity(severity),
        location=Location(row=row, column=column, column_name=column_name, sheet=sheet),
        message=message,
        message_ja=message_ja,
        fix=fix,
        fix_ja=fix_ja,
    )


class ProblemLog:
    """Collects findings, at most MAX_PER_RULE per rule; counts the ones left out."""

    def __init__(self, sheet: str | None = None) -> None:
        self.sheet = sheet
        self.items: list[Finding] = []
        self._counts: dict[str, int] = {}

    def add(self, rule: str, severity: str, message: str, message_ja: str, **where: object) -> None:
        count = self._counts.get(rule, 0) + 1
        self._counts[rule] = count
        if count <= MAX_PER_RULE:
            where.setdefault("sheet", self.sheet)
            self.items.append(finding(rule, severity, message, message_ja, **where))  # type: ignore[arg-type]

    def finish(self) -> list[Finding]:
        """The findings, plus one summary per rule that was reported more than the cap."""
        result = list(self.items)
        for rule, count in self._counts.items():
            if count > MAX_PER_RULE:
                result.append(
                    finding(
                        rule,
                        "info",
                        f"{count - MAX_PER_RULE} more cases of this problem are not listed "
                        f"({count} in all)",
                        f"同じ問題がほかに{count - MAX_PER_RULE}件あります（全{count}件）",
                        sheet=self.sheet,
                    )
                )
        return result
