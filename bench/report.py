"""The evaluation's table: per kind of mutation, articlewatch against the naive approach."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .judge import NOT_EXTRACTED, REVERT_GROUP, SIDE_EFFECTS, Verdict
from .metadata_edits import METADATA_EDITS
from .mutations import EDIT, FURNITURE, FURNITURE_MUTATIONS, PARAGRAPH_EDITS

if TYPE_CHECKING:
    from .eval import PageRun

FAILURES_SHOWN = 4  # per kind, under the table
RIGHT_KIND_GOAL = 0.98


def _rate(part: int, whole: int) -> str:
    if not whole:
        return f"{'-':>16}"
    return f"{part:>5}/{whole:<5} {100 * part / whole:5.1f}%"


def _rows(verdicts: Sequence[Verdict], group: str, kinds: Iterable[str]) -> dict[str, list[Verdict]]:
    by_kind: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        if verdict.group == group:
            by_kind[verdict.kind].append(verdict)
    return {kind: by_kind[kind] for kind in kinds if by_kind[kind]}


def render_report(runs: Sequence[PageRun], elapsed: float, corpus: Path, flow_line: str | None) -> str:
    """The whole report: headline numbers, the three tables, the goals and the failures."""
    verdicts = [v for run in runs for v in run.verdicts]
    checked = [run for run in runs if run.base_error is None]
    checks = len(checked) + len(verdicts)
    lines = [
        f"articlewatch real-page evaluation: {len(runs)} pages of {corpus}",
        f"  {checks} checks through the pipeline stages in {elapsed:.0f} s "
        f"({elapsed / max(len(runs), 1):.2f} s per page, all mutations and the naive extraction included)",
        f"  base versions checked: {len(checked)} new, {len(runs) - len(checked)} refused",
    ]
    lines += [f"    refused {run.page_id[:8]}: {run.base_error}" for run in runs if run.base_error]
    lines += ["", _furniture_table(verdicts), "", _edit_table(verdicts), "", _revert_table(verdicts)]
    not_made = Counter(kind for run in checked for kind in run.not_made)
    if not_made:
        lines += [
            "",
            "not made (the page has nothing to apply the change to, e.g. no footer links): "
            + ", ".join(f"{kind} {count}" for kind, count in sorted(not_made.items())),
        ]
    lines += [
        "* not judgeable, decided by trafilatura's own default extraction alone and counted in no rate:",
        "  furniture: the change made it drop or take lines of the true article body (it broke the",
        "  extractor, not the differ); edits: A + B = A pages where it lacks the edited paragraph (no",
        "  trafilatura-based tracker can see the edit) + B pages where the edit also made it extract other",
        "  lines or metadata differently (a caption appears, a closing line goes, its author guess moves:",
        "  no differ can tell those from the edit).",
    ]
    if flow_line:
        lines += ["", flow_line]
    lines += ["", _goals(verdicts), *_failures(verdicts)]
    return "\n".join(lines)


def _furniture_table(verdicts: Sequence[Verdict]) -> str:
    rows = _rows(verdicts, FURNITURE, FURNITURE_MUTATIONS)
    out = [
        f"{'FURNITURE ONLY (must not alert)':<38}{'made':>5}{'not judgeable*':>16}"
        f"{'false alerts':>19}{'naive false alerts':>22}"
    ]
    total = [v for vs in rows.values() for v in vs]
    for kind, vs in [*rows.items(), ("all furniture changes", total)]:
        judged = [v for v in vs if v.judgeable]
        wrong = sum(v.detected for v in judged)
        naive = sum(v.naive_detected for v in judged)
        out.append(
            f"  {kind:<36}{len(vs):>5}{len(vs) - len(judged):>16}"
            f"{_rate(wrong, len(judged)):>19}{_rate(naive, len(judged)):>22}"
        )
    return "\n".join(out)


def _edit_table(verdicts: Sequence[Verdict]) -> str:
    rows = _rows(verdicts, EDIT, [*PARAGRAPH_EDITS, *METADATA_EDITS])
    out = [
        f"{'BODY EDITS (must alert)':<24}{'made':>5}{'not judgeable*':>16}{'recall':>17}{'right kind':>19}"
        f"{'points at edit':>19}{'naive recall':>19}"
    ]
    total = [v for vs in rows.values() for v in vs]
    for kind, vs in [*rows.items(), ("all body edits", total)]:
        judged = [v for v in vs if v.judgeable]
        unjudged = (
            f"{sum(v.unjudged == NOT_EXTRACTED for v in vs)} + {sum(v.unjudged == SIDE_EFFECTS for v in vs)}"
        )
        out.append(
            f"  {kind:<22}{len(vs):>5}{unjudged:>16}"
            f"{_rate(sum(v.detected for v in judged), len(judged)):>19}"
            f"{_rate(sum(v.right_kind for v in judged), len(judged)):>19}"
            f"{_rate(sum(v.points_at for v in judged), len(judged)):>19}"
            f"{_rate(sum(v.naive_detected for v in judged), len(judged)):>19}"
        )
    return "\n".join(out)


def _revert_table(verdicts: Sequence[Verdict]) -> str:
    reverts = [v for v in verdicts if v.group == REVERT_GROUP]
    return (
        f"{'REVERTS (base page served again after an edit: a revert, not news)':<68}"
        f"{_rate(sum(v.detected for v in reverts), len(reverts)):>19}"
    )


def _goals(verdicts: Sequence[Verdict]) -> str:
    furniture = [v for v in verdicts if v.group == FURNITURE and v.judgeable]
    edits = [v for v in verdicts if v.group == EDIT and v.judgeable]
    false_alerts = sum(v.detected for v in furniture)
    recall = sum(v.detected for v in edits) / max(len(edits), 1)
    right = sum(v.right_kind for v in edits) / max(len(edits), 1)

    def met(ok: bool) -> str:
        return "met" if ok else "NOT MET"

    return (
        f"goals: 0 false alerts on furniture ({false_alerts}): {met(false_alerts == 0)}; "
        f"100% recall on body edits ({100 * recall:.1f}%): {met(recall == 1)}; "
        f"right kinds >= {RIGHT_KIND_GOAL:.0%} ({100 * right:.1f}%): {met(right >= RIGHT_KIND_GOAL)}"
    )


def _failures(verdicts: Sequence[Verdict]) -> list[str]:
    shown: Counter[str] = Counter()
    out: list[str] = []
    for v in verdicts:
        if v.group == FURNITURE:
            failed = v.judgeable and v.detected
        else:
            failed = v.judgeable and not (v.detected and v.right_kind and v.points_at)
        if not failed or shown[v.kind] >= FAILURES_SHOWN:
            continue
        if not out:
            out.append(f"\nfailures (at most {FAILURES_SHOWN} per kind):")
        shown[v.kind] += 1
        out.append(f"  {v.group} {v.kind} {v.page_id[:8]}: {v.outcome}: {v.detail[:240]}")
    return out
