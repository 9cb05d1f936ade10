"""How well the extraction assistant finds the seed dataset in the five seed articles.

A candidate matches a commitment when its quote overlaps one of that commitment's quotes
from the same article (whitespace folded). Recall counts the seed's commitments (deadlines,
actors) found; precision counts the candidates (deadlines, actors) that are right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from commitments.deadlines import deadline_parse
from commitments.seed_data import SEED_DIR
from intake.extraction import Candidate, candidates_extract
from sources.dates import partial_date_parse
from sources.selectors import fold_whitespace


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


@dataclass
class Score:
    found: int = 0  # recall's numerator
    expected: int = 0
    right: int = 0  # precision's numerator
    proposed: int = 0

    @property
    def recall(self) -> float:
        return _ratio(self.found, self.expected)

    @property
    def precision(self) -> float:
        return _ratio(self.right, self.proposed)


@dataclass
class Evaluation:
    commitments: Score = field(default_factory=Score)
    deadlines: Score = field(default_factory=Score)
    actors: Score = field(default_factory=Score)
    missed_commitments: list[str] = field(default_factory=list)
    missed_deadlines: list[str] = field(default_factory=list)


def _span(folded_text: str, quote: str) -> tuple[int, int] | None:
    folded = fold_whitespace(quote)
    start = folded_text.find(folded)
    return None if start < 0 else (start, start + len(folded))


def _overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


def extraction_evaluate(*, directory: Path = SEED_DIR) -> Evaluation:
    """Run the assistant on each seed article and compare with dataset.yaml. Needs the seed's
    actors in the database (the command loads the seed in a transaction it rolls back)."""
    spec = yaml.safe_load((directory / "dataset.yaml").read_text(encoding="utf-8"))
    result = Evaluation()
    by_source: dict[str, list[Candidate]] = {}
    spans: dict[str, str] = {}
    for source in spec["sources"]:
        text = (directory / "articles" / source["file"]).read_bytes().decode("utf-8")
        published = partial_date_parse(str(source["published"])) if source["published"] else None
        by_source[source["key"]] = candidates_extract(text=text, published=published)
        spans[source["key"]] = fold_whitespace(text)

    matched: dict[int, list[dict]] = {}  # id(candidate) -> the seed commitments it matches
    candidates = {id(c): c for found in by_source.values() for c in found}
    for item in spec["commitments"]:
        hits = [
            candidate
            for citation in item["citations"]
            for candidate in by_source[citation["source"]]
            if _overlaps(
                _span(spans[citation["source"]], citation["quote"]),
                _span(spans[citation["source"]], candidate.quote),
            )
        ]
        result.commitments.expected += 1
        if hits:
            result.commitments.found += 1
        else:
            result.missed_commitments.append(item["reference"])
        for candidate in hits:
            matched.setdefault(id(candidate), []).append(item)
        parties = {party["actor"] for party in item.get("parties", [])}
        named = {m.actor.slug for c in hits for m in c.actors}
        result.actors.expected += len(parties)
        result.actors.found += len(parties & named)
        if item.get("deadline"):
            expected = deadline_parse(item["deadline"])
            result.deadlines.expected += 1
            if any(
                c.deadline
                and (c.deadline.deadline.first_day, c.deadline.deadline.last_day)
                == (expected.first_day, expected.last_day)
                for c in hits
            ):
                result.deadlines.found += 1
            else:
                result.missed_deadlines.append(f"{item['reference']} ({item['deadline']})")

    for key, candidate in candidates.items():
        items = matched.get(key, [])
        result.commitments.proposed += 1
        result.commitments.right += bool(items)
        if candidate.deadline is not None:
            periods = {
                (d.first_day, d.last_day)
                for d in (deadline_parse(i["deadline"]) for i in items if i.get("deadline"))
            }
            period = (candidate.deadline.deadline.first_day, candidate.deadline.deadline.last_day)
            result.deadlines.proposed += 1
            result.deadlines.right += period in periods
        if items:
            parties = {party["actor"] for i in items for party in i.get("parties", [])}
            slugs = {m.actor.slug for m in candidate.actors}
            result.actors.proposed += len(slugs)
            result.actors.right += len(slugs & parties)
    return result


# --- follow-up articles: reports after the seed, in English and Russian ------------------------

FOLLOWUPS_DIR = Path(__file__).resolve().parent / "evaluation" / "followups"
SPLITS = ("tune", "held_out", "held_out_2", "held_out_3")


@dataclass
class Ratio:
    right: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return _ratio(self.right, self.total)


@dataclass
class FollowupScore:
    """One language's figures on one split."""

    commitments: Score = field(default_factory=Score)
    top_match: Ratio = field(default_factory=Ratio)  # follow-ups whose commitment is first
    status: Ratio = field(default_factory=Ratio)  # events whose status is the one expected
    missed: list[str] = field(default_factory=list)  # "article: quote", for the reader


def followups_evaluate(*, split: str, directory: Path = FOLLOWUPS_DIR) -> dict[str, FollowupScore]:
    """Run the assistant (suggestions and matches) on one split's articles and compare with
    what each should yield, per language. Needs the seed in the database (its commitments
    are what the follow-ups report on)."""
    # Here, not at the top: the selectors import the models, which this module's seed half
    # does not need.
    from intake.selectors import suggestions_for_text

    spec = yaml.safe_load((directory / f"{split}.yaml").read_text(encoding="utf-8"))
    scores: dict[str, FollowupScore] = {}
    for article in spec["articles"]:
        text = (directory / "articles" / article["file"]).read_text(encoding="utf-8")
        score = scores.setdefault(article["language"], FollowupScore())
        suggestions, _ = suggestions_for_text(
            text=text, published=partial_date_parse(str(article["published"]))
        )
        folded = fold_whitespace(text)
        spans = [_span(folded, s.candidate.quote) for s in suggestions]
        hit_suggestions: set[int] = set()
        for item in article["expect"]:
            wanted = _span(folded, item["quote"])
            hits = [
                s for s, span in zip(suggestions, spans, strict=True) if _overlaps(wanted, span)
            ]
            hit_suggestions |= {s.number for s in hits}
            score.commitments.expected += 1
            if not hits:
                score.missed.append(f"{article['key']}: {item['quote'][:60]}")
            score.commitments.found += bool(hits)
            best = hits[0] if hits else None
            score.status.total += 1
            score.status.right += bool(best and best.status == item["status"])
            if item["commitment"]:
                score.top_match.total += 1
                top = best.related[0].commitment.reference if best and best.related else None
                score.top_match.right += top == item["commitment"]
        score.commitments.proposed += len(suggestions)
        score.commitments.right += len(hit_suggestions)
    return scores
