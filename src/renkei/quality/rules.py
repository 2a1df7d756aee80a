"""Collecting findings into a score: one weight per rule, a cap on repeated locations.

A rule that fires loses its weight once (the first finding carries ``points_lost``); a file with
50 000 bad cells gets the first ``MAX_PER_RULE`` locations and one summary finding with the total,
so reports stay readable and checking stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from renkei.quality.findings import Finding, Location, Score, Severity

MAX_PER_RULE = 20


@dataclass
class Rule:
    id: str
    weight: float
    severity: Severity
    title: str
    title_ja: str
    fix: str
    fix_ja: str


@dataclass
class Collector:
    scorer: str
    rules: dict[str, Rule]
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    applicable: set[str] = field(default_factory=set)

    def check(self, rule_id: str) -> None:
        """Mark a rule as applied to this file (it counts toward the maximum)."""
        self.applicable.add(rule_id)

    def add(
        self,
        rule_id: str,
        message: str,
        message_ja: str,
        location: Location | None = None,
        *,
        severity: Severity | None = None,
    ) -> None:
        rule = self.rules[rule_id]
        self.applicable.add(rule_id)
        n = self.counts.get(rule_id, 0) + 1
        self.counts[rule_id] = n
        if n > MAX_PER_RULE:
            return
        self.findings.append(
            Finding(
                rule=rule_id,
                severity=severity or rule.severity,
                location=location or Location(),
                message=message,
                message_ja=message_ja,
                fix=rule.fix,
                fix_ja=rule.fix_ja,
                points_lost=rule.weight if n == 1 else 0,
            )
        )

    def score(self) -> Score:
        findings = list(self.findings)
        for rule_id, n in self.counts.items():
            if n > MAX_PER_RULE:
                rule = self.rules[rule_id]
                findings.append(
                    Finding(
                        rule=rule_id,
                        severity=rule.severity,
                        message=f"{n} occurrences in all ({n - MAX_PER_RULE} more not listed)",
                        message_ja=f"全{n}件（うち{n - MAX_PER_RULE}件は省略）",
                        fix=rule.fix,
                        fix_ja=rule.fix_ja,
                    )
                )
        max_points = sum(self.rules[r].weight for r in self.applicable)
        lost = sum(self.rules[r].weight for r in self.counts)
        return Score(
            scorer=self.scorer,
            points=max_points - lost,
            max_points=max_points,
            band=band(max_points - lost, max_points),
            findings=findings,
        )


def band(points: float, max_points: float) -> str | None:
    """Bands for content scores (share of points kept): the MQA band names, same cut shares."""
    if not max_points:
        return None
    share = points / max_points
    if share > 350 / 405:
        return "excellent"
    if share > 220 / 405:
        return "good"
    if share > 120 / 405:
        return "sufficient"
    return "bad"


def rule(
    id: str, weight: float, severity: str, title: str, title_ja: str, fix: str, fix_ja: str
) -> Rule:
    return Rule(id, weight, Severity(severity), title, title_ja, fix, fix_ja)
