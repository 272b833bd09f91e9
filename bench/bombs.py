"""Resource bombs: peak memory of reading inputs built to blow up, each in its own process.

``python -m bench.bombs`` builds each bomb in a temporary folder, reads it in a fresh process
(``rota validate`` for inputs, ``rota scenario check`` for scenario files), records whether it
was refused, the message, the process's peak resident memory and the time, and writes
``bench/results/bombs.json``. The target: every bomb refused under 300 MB.
"""

from __future__ import annotations

import io
import json
import platform
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULT = BENCH_DIR / "results" / "bombs.json"
LIMIT_MB = 300
MB = 1024 * 1024

# Runs the reader in a fresh interpreter and prints what happened and its peak memory.
_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from click.testing import CliRunner
from rota.cli import main
t0 = time.perf_counter()
result = CliRunner().invoke(main, sys.argv[1:])
# VmHWM is this process's own peak (ru_maxrss would carry the parent's peak across exec).
status = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
hwm = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")]
peak_kb = int(hwm[0]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"exit_code": result.exit_code, "output": result.output[-400:],
                  "exception": repr(result.exception) if result.exception and not isinstance(
                      result.exception, SystemExit) else None,
                  "seconds": round(time.perf_counter() - t0, 2),
                  "peak_mb": round(peak_kb / 1024, 1)}))
"""


def _valid_workbook() -> bytes:
    from rota.demo import generate_problem
    from rota.io.write import problem_workbook

    buffer = io.BytesIO()
    problem_workbook(generate_problem("small", 1, version=1)).save(buffer)
    return buffer.getvalue()


def _with_member(good: bytes, member: str, data_of: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data_of(data) if item.filename == member else data)
        if member not in src.namelist():
            dst.writestr(member, data_of(b""))
    return out.getvalue()


def _inflating(data: bytes, size: int) -> bytes:
    """The sheet with ``size`` bytes of blanks before its end (deflates to about size / 1000)."""
    return data.replace(b"</sheetData>", b"</sheetData>" + b" " * size)


def _lie_about_sizes(zipped: bytes, member: str, declared: int) -> bytes:
    """The same zip with ``member``'s declared size (local header and directory) set small."""
    data = bytearray(zipped)
    name = member.encode()
    pos = 0
    while (pos := data.find(name, pos + 1)) != -1:
        if data[pos - 30 : pos - 26] == b"PK\x03\x04":
            struct.pack_into("<I", data, pos - 30 + 22, declared)
        elif data[pos - 46 : pos - 42] == b"PK\x01\x02":
            struct.pack_into("<I", data, pos - 46 + 24, declared)
    return bytes(data)


def _rows(count: int) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Referrals")
    ws.append(["referral_id", "client", "site_id", "discipline", "minutes"])
    for i in range(count):
        ws.append([f"R{i}", "A.B.", "S", "music", 30])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def build(folder: Path) -> dict[str, list[str]]:
    """Each bomb's file, and the rota command that reads it."""
    good = _valid_workbook()
    sheet = "xl/worksheets/sheet5.xml"  # the Referrals sheet of the input writer's workbook
    files: dict[str, bytes] = {
        "workbook_zip_bomb_1GB.xlsx": _with_member(good, sheet, lambda d: _inflating(d, 1024 * MB)),
        "workbook_lying_sizes_1GB.xlsx": _lie_about_sizes(
            _with_member(good, sheet, lambda d: _inflating(d, 1024 * MB)), sheet, 64 * 1024
        ),
        "workbook_150k_rows.xlsx": _rows(150_000),
        "workbook_60MB_shared_text.xlsx": _with_member(
            good, "xl/sharedStrings.xml", lambda d: d + b" " * (60 * MB)
        ),
        "alias_bomb_input.yaml": ALIAS_BOMB.encode(),
        "deep_input.yaml": ("a: " + "[" * 5000 + "]" * 5000 + "\n").encode(),
        "deep_input.json": ("[" * 100_000 + "]" * 100_000).encode(),
        "big_input.yaml": b"# padding\n" * (3 * MB),
        "alias_bomb_scenario.yaml": ALIAS_BOMB.encode(),
    }
    commands: dict[str, list[str]] = {}
    base = folder / "base.xlsx"
    base.write_bytes(good)
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        if "scenario" in name:
            commands[name] = ["scenario", "check", str(base), str(path)]
        else:
            commands[name] = ["validate", str(path)]
    commands["reference_valid_small.xlsx"] = ["validate", str(base)]
    return commands


def run_one(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        return {"exit_code": proc.returncode, "output": proc.stderr[-400:], "peak_mb": None}
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, args in build(folder).items():
            size = (folder / name).stat().st_size if (folder / name).exists() else 0
            t0 = time.perf_counter()
            found = run_one(args)
            found.update(
                name=name, file_bytes=size, wall_seconds=round(time.perf_counter() - t0, 2)
            )
            found["output"] = found["output"].replace(str(folder) + "/", "")
            found["refused"] = found["exit_code"] == 1 and not name.startswith("reference")
            results.append(found)
            print(f"{name:36} {size / MB:8.2f} MB  exit {found['exit_code']}  "
                  f"peak {found['peak_mb']} MB  {found['wall_seconds']} s")  # fmt: skip
    worst = max(r["peak_mb"] or 0 for r in results)
    bombs = [r for r in results if not r["name"].startswith("reference")]
    machine = f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"
    summary = {
        "limit_mb": LIMIT_MB,
        "worst_peak_mb": worst,
        "all_bombs_refused": all(r["refused"] for r in bombs),
        "machine": machine,
        "results": results,
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"worst peak {worst} MB (limit {LIMIT_MB} MB); wrote {RESULT}")
    if worst >= LIMIT_MB or not summary["all_bombs_refused"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
