"""Instructions per lookup (valgrind's callgrind): run.py's table, figures load cannot blur.

    python benchmarks/router/instructions.py        (needs valgrind; a few minutes)

Same contenders, table and paths as run.py, including its `lookup` wrapper (the
"(empty call)" row is that wrapper alone). Each figure is the difference between
N and N + 4000 lookups (400 for BlackSheep off its cache), divided by that, so start-up and
the building of the table cancel out.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import per_call_instructions

HERE = Path(__file__).resolve().parent

DRIVER = """
import sys
sys.path.insert(0, {here!r})
import run
contender, case, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
table = run.ROUTES
if case.endswith(" routes"):  # growth: the 1-param lookup in a table of that many routes
    table = run.scaled_table(int(case.split()[0]))
    case = "1 param"
lookup = (lambda m, p: None) if contender == "(empty call)" else run.CONTENDERS[contender](table)
if case == "mix":
    paths = run.MIX * 500
else:
    template = run.CASES[case][1]
    paths = [template.replace("{{n}}", str(i % run.VARIANTS)) for i in range(10000)]


def drive(lookup, paths):  # in a function: module-level names would cost a dict each
    for path in paths:
        lookup("GET", path)


drive(lookup, paths[:n])
"""

CONTENDERS = [
    "(empty call)",
    "altapi_router (compiled)",
    "altapi_router (pure Python)",
    "altapi_router (compiled, cache_size=1024)",
    "Falcon CompiledRouter",
    "BlackSheep (LRU cache)",
]
CASES = ["static", "1 param", "3 params", "path param", "not found", "mix"]
# ~400k instructions a lookup off its cache (every column but these): 400 lookups are enough
SLOW = {"BlackSheep (LRU cache)"}
CACHE_HITS = {"static", "mix"}
GROWTH = ["20 routes", "200 routes", "2000 routes"]
GROWING = ["altapi_router (compiled)", "altapi_router (pure Python)", "Falcon CompiledRouter"]


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as driver:
        driver.write(DRIVER.format(here=str(HERE)))
    for title, contenders, cases in [
        ("GitHub API table", CONTENDERS, CASES),
        ("Growth with the table size (1-param lookups)", GROWING, GROWTH),
    ]:
        print(f"\n{title}:\n\n| router | " + " | ".join(cases) + " |")
        print("|---|" + "---:|" * len(cases))
        for contender in contenders:
            row = [
                per_call_instructions(
                    driver.name,
                    contender,
                    case,
                    calls=400 if contender in SLOW and case not in CACHE_HITS else 4000,
                )
                for case in cases
            ]
            print(f"| {contender} | " + " | ".join(f"{count:,.0f}" for count in row) + " |")
    Path(driver.name).unlink()


if __name__ == "__main__":
    main()
