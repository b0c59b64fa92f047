"""Notes on a change: what an edit touched (a number, a quotation, a name) and what a paragraph is
(a correction, an editor's note). Pure; reads the comparison keys (typography already plain).
"""

from __future__ import annotations

import re
from collections import Counter

from .models import NOTE_CORRECTION, NOTE_EDITORS_NOTE, NOTE_NAME, NOTE_NUMBER, NOTE_QUOTE

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_QUOTED = re.compile(r'"([^"]{2,})"')
_TOKEN = re.compile(r"[^\W\d_][\w'.-]*|\S")
_SENTENCE_END = re.compile(r"[.!?:;\"]$")
_CORRECTION = re.compile(
    r"^\W*(?:corrections?|clarifications?|correctifs?|rectificatifs?|rectification|berichtigung"
    r"|korrektur|richtigstellung|corrección|fe de erratas|correção|correzione|rettifica|düzeltme"
    r"|tekzip|исправление)\b"
    r"|\b(?:an earlier|a previous) version of this (?:article|story|post|report|piece)"
    r"|\bthis (?:article|story|post|report|piece) (?:has been|was) (?:corrected|amended)",
    re.IGNORECASE,
)
_EDITORS_NOTE = re.compile(
    r"^\W*(?:editor'?s'? note|editorial note|note from the editors?|note de la rédaction"
    r"|note de l'éditeur|anmerkung der redaktion|hinweis der redaktion|nota del editor"
    r"|nota de la redacción|nota da redação|nota della redazione|editörün notu|от редакции)\b",
    re.IGNORECASE,
)


def paragraph_notes(key: str) -> tuple[str, ...]:
    """Notes a paragraph earns by what it is: a correction notice, an editor's note."""
    notes = []
    if _CORRECTION.search(key):
        notes.append(NOTE_CORRECTION)
    if _EDITORS_NOTE.search(key):
        notes.append(NOTE_EDITORS_NOTE)
    return tuple(notes)


def edit_notes(before: str, after: str) -> tuple[str, ...]:
    """Notes on an edit from before to after: a number, a quoted passage or a name changed; what
    the new text is (a correction, an editor's note)."""
    notes = []
    if Counter(_NUMBER.findall(before)) != Counter(_NUMBER.findall(after)):
        notes.append(NOTE_NUMBER)
    if Counter(_QUOTED.findall(before)) != Counter(_QUOTED.findall(after)):
        notes.append(NOTE_QUOTE)
    runs_before, runs_after = _capitalized_runs(before), _capitalized_runs(after)
    # A lone capital at a sentence's start is a name only where the texts also use it mid-sentence.
    known = {run[0] for run, at_start in (*runs_before, *runs_after) if len(run) == 1 and not at_start}
    if _names(runs_before, known) != _names(runs_after, known):
        notes.append(NOTE_NAME)
    return tuple(notes) + tuple(n for n in paragraph_notes(after) if n not in paragraph_notes(before))


def _capitalized_runs(text: str) -> list[tuple[tuple[str, ...], bool]]:
    """Runs of consecutive capitalized words, each with whether it starts a sentence."""
    runs: list[tuple[tuple[str, ...], bool]] = []
    run: list[str] = []
    run_at_start = at_start = True
    for token in _TOKEN.findall(text):
        if token[0].isupper():
            if not run:
                run_at_start = at_start
            run.append(token)
        elif run:
            runs.append((tuple(run), run_at_start))
            run = []
        at_start = bool(_SENTENCE_END.search(token))
    if run:
        runs.append((tuple(run), run_at_start))
    return runs


def _names(runs: list[tuple[tuple[str, ...], bool]], known: set[str]) -> Counter[str]:
    """Proper names among capitalized runs: two words or more, or one not opening a sentence."""
    return Counter(" ".join(run) for run, at_start in runs if len(run) > 1 or not at_start or run[0] in known)
