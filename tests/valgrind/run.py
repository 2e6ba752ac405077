#!/usr/bin/env python3
"""The Python and Node packages under valgrind's memcheck: each smoke run (smoke.py, smoke.js)
twice, at 2 and at 4 rounds of every call. Fails on any memory error in a frame of pareto's, and
when the blocks definitely lost grow with the rounds: what the runtimes and SWIG's module setup
keep for the whole process is the same at 2 and at 4, a leak through a call is not.

usage: run.py PYTHON GENERATED_APP_DIR
"""
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROUNDS = (2, 4)
VALGRIND = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite", "--num-callers=40"]
ERROR = re.compile(r"^==\d+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|"
                   r"Mismatched free|Syscall param)")


def memcheck(command: list[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """Bytes definitely lost, and the memory errors with one of pareto's frames in them."""
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        done = subprocess.run(VALGRIND + [f"--log-file={log.name}"] + command, env=env,
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        text = Path(log.name).read_text(errors="replace")
    lost = re.search(r"definitely lost: ([\d,]+) bytes", text)
    records = re.split(r"\n==\d+== \n", text)
    errors = [r for r in records if any(ERROR.match(line) for line in r.splitlines())
              and ("pareto" in r)]
    return int(lost.group(1).replace(",", "")) if lost else 0, errors


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    python, app = sys.argv[1], sys.argv[2]
    runs = {
        "python": ([python, str(HERE / "smoke.py"), app], {"PYTHONMALLOC": "malloc"}),
        "node": (["node", "--jitless", str(HERE / "smoke.js"), app], {}),
    }
    jobs = [(name, rounds, command + [str(rounds)], {**os.environ, **env})
            for name, (command, env) in runs.items() for rounds in ROUNDS]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda job: memcheck(job[2], job[3]), jobs))
    failed = False
    lost: dict[str, list[int]] = {}
    for (name, rounds, _, _), (bytes_lost, errors) in zip(jobs, results):
        print(f"{name:<7} {rounds} rounds: {bytes_lost} bytes definitely lost, "
              f"{len(errors)} memory errors in pareto's frames")
        lost.setdefault(name, []).append(bytes_lost)
        for error in errors:
            print(error)
            failed = True
    for name, (fewer, more) in lost.items():
        if more > fewer:
            print(f"{name}: {more - fewer} more bytes lost at {ROUNDS[1]} rounds than at {ROUNDS[0]}")
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
