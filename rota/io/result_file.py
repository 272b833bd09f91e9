"""Reading a rota back: a result ``.json`` from ``rota solve``, or an (edited) rota workbook."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from rota.evaluate.kpis import compute_kpis
from rota.io.rota_sheet import read_rota_sheet
from rota.models.problem import Problem
from rota.models.result import Result


def mismatches(problem: Problem, result: Result) -> list[str]:
    """Sessions of the result that name a referral, therapist, site or room the input lacks."""
    out = []
    for s in result.rota.sessions:
        unknown = [f"therapist '{t}'" for t in s.therapist_ids if t not in problem.therapist_by_id]
        if s.referral_id not in problem.referral_by_id:
            unknown.insert(0, f"referral '{s.referral_id}'")
        if s.site_id not in problem.site_by_id:
            unknown.append(f"site '{s.site_id}'")
        if s.room_id not in problem.room_by_id:
            unknown.append(f"room '{s.room_id}'")
        if unknown:
            out.append(f"session {s.referral_id}: unknown {', '.join(unknown)}")
    return out


def load_result(problem: Problem, path: Path) -> tuple[Result, list[str]]:
    """A result JSON as written by ``rota solve``, or a rota workbook read back (with warnings).

    A result that cannot be used raises ValueError with a plain message (InputError for a
    workbook's bad cells)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if suffix == ".json":
        try:
            result = Result.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "the file"
            raise ValueError(
                f"{path}: not a rota result ({where}: {first['msg']}); "
                "use what 'rota solve -o result.json' writes"
            ) from None
        except UnicodeDecodeError:
            raise ValueError(f"{path}: not a text (JSON) file") from None
        warnings: list[str] = []
    elif suffix == ".xlsx":
        rota, warnings = read_rota_sheet(problem, path)
        result = Result(
            status="UNKNOWN",
            rota=rota,
            kpis=compute_kpis(problem, rota),
            message=f"Rota read back from {path.name} (edited by hand: figures recomputed)",
        )
    else:
        raise ValueError(f"{path}: RESULT must be a result .json or a rota workbook .xlsx")
    bad = mismatches(problem, result)
    if bad:
        raise ValueError(
            f"{path} does not belong to this input:\n" + "\n".join(f"  {b}" for b in bad)
        )
    return result, warnings
