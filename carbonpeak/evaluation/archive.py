"""Evaluation runs as archive records: the scheme version and the input version a score came from.

`run_record(scheme, inputs, result)` is a JSON-ready dict holding the full scheme, the full inputs,
their digests and the scores. `reproduce(record)` rebuilds scheme and inputs from the record, checks
both digests, scores again and returns the result; `ReproductionError` (an IntegrityError) names any
digest or score that differs. The scheme files and the live data may have changed since: the
record alone decides.
"""

from __future__ import annotations

from typing import Any

from carbonpeak.errors import ReproductionError
from carbonpeak.evaluation.inputs import EvaluationInputs, inputs_digest, inputs_from_dict, inputs_to_dict
from carbonpeak.evaluation.scheme import Scheme, parse_scheme, scheme_digest
from carbonpeak.evaluation.scoring import EvaluationResult, evaluate

RECORD_FORMAT = "carbonpeak.evaluation-run/1"


def score_table(result: EvaluationResult) -> list[dict[str, Any]]:
    """unit, audience, score (rounded to 0.0001), grade, vetoed, rank: the part a reproduction must match."""
    return [
        {
            "unit": s.unit,
            "audience": s.audience,
            "score": round(s.score, 4),
            "grade": s.grade,
            "vetoed": s.vetoed,
            "rank": s.rank,
        }
        for s in result.scores
    ]


def run_record(scheme: Scheme, inputs: EvaluationInputs, result: EvaluationResult) -> dict[str, Any]:
    return {
        "format": RECORD_FORMAT,
        "year": result.year,
        "scheme_code": scheme.code,
        "scheme_version": scheme.version,
        "scheme_digest": result.scheme_digest,
        "inputs_digest": result.inputs_digest,
        "data_version": result.data_version,
        "scheme": scheme.model_dump(mode="json"),
        "inputs": inputs_to_dict(inputs),
        "scores": score_table(result),
    }


def reproduce(record: dict[str, Any]) -> EvaluationResult:
    """Score again from a run record; raise ReproductionError if anything differs from the record."""
    scheme = parse_scheme(record["scheme"], location="archive.scheme")
    inputs = inputs_from_dict(record["inputs"])
    faults = []
    if scheme_digest(scheme) != record["scheme_digest"]:
        faults.append("scheme digest")
    if inputs_digest(inputs) != record["inputs_digest"]:
        faults.append("inputs digest")
    result = evaluate(scheme, inputs)
    if score_table(result) != record["scores"]:
        faults.append("scores")
    if faults:
        label = f"evaluation {record['scheme_code']} v{record['scheme_version']} {record['year']}"
        raise ReproductionError(
            f"{label} does not reproduce: " + ", ".join(faults),
            message_zh=f"{record['year']}年评价结果无法复现：" + "、".join(faults),
        )
    return result
