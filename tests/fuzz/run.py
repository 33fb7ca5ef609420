"""Run the atheris targets: `python tests/fuzz/run.py [seconds in all] [target ...]`.

Each target runs in its own process for its share of the time (60 s in all by
default); an input that crashes one is kept in tests/fuzz/crashes/ and the run
fails. Turn each crash into a regression test next to the parser's tests, then
delete the file. `nox -s fuzz -- 600` runs ten minutes; CI runs a short round.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
CRASHES = HERE / "crashes"


def fuzz_one(name: str) -> None:
    """In the child process: fuzz one target until libFuzzer's own limits stop it."""
    import atheris

    sys.path.insert(0, str(HERE))
    from targets import TARGETS

    atheris.Setup(sys.argv[:1] + sys.argv[3:], TARGETS[name])
    atheris.Fuzz()


def main() -> int:
    sys.path.insert(0, str(HERE))
    from targets import TARGETS

    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    chosen = sys.argv[2:] or list(TARGETS)
    share = max(1, int(seconds / len(chosen)))
    CRASHES.mkdir(exist_ok=True)
    failed = []
    for name in chosen:
        print(f"fuzzing {name} for {share} s", flush=True)
        result = subprocess.run(
            [
                sys.executable,
                __file__,
                "--target",
                name,
                f"-max_total_time={share}",
                f"-artifact_prefix={CRASHES}/{name}-",
                "-rss_limit_mb=1024",
                "-timeout=10",
                "-print_final_stats=1",
            ],
            check=False,
        )
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"crashes in: {', '.join(failed)} (inputs in {CRASHES})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--target":
        fuzz_one(sys.argv[2])
    else:
        sys.exit(main())
