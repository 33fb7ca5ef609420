"""Hatch build hook: compile `_ctable.pyx` with Cython into `altapi_ratelimit._ctable`.

Acts on the wheel target only. Without Cython or a C compiler the wheel is still
built, pure Python (the lockf table), and the build says so
(ALTAPI_REQUIRE_EXTENSIONS=1 makes that an error, for CI). `ALTAPI_NO_EXTENSIONS=1`
skips compiling altogether.

`python hatch_build.py` builds the extension in place, next to the sources, for
local test runs (the .c and .so are git-ignored; never commit them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

MODULE = "altapi_ratelimit._ctable"
SOURCE = Path("src/altapi_ratelimit/_ctable.pyx")


def compile_extension(root: Path, out: Path) -> Path:
    """Cythonize and compile the extension into `out`; return the .so's path."""
    import Cython  # noqa: F401 - fail early and clearly when Cython is missing

    c_file = out / "_ctable.c"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cython",
            "-3",
            "--module-name",
            MODULE,
            str(root / SOURCE),
            "-o",
            str(c_file),
        ],
        check=True,
    )
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    target = out / f"_ctable{suffix}"
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    include = sysconfig.get_paths()["include"]
    subprocess.run(
        [
            *compiler.split(),
            "-shared",
            "-fPIC",
            "-O2",
            "-fno-strict-aliasing",  # the slots are read as u64 and f64 words
            f"-I{include}",
            str(c_file),
            "-o",
            str(target),
        ],
        check=True,
    )
    return target


if __name__ == "__main__":  # build in place for local test runs
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        built = compile_extension(here, Path(tmp))
        shutil.copy(built, here / SOURCE.parent / built.name)
    print(f"built {SOURCE.parent / built.name}")
else:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface

    class CythonBuildHook(BuildHookInterface):  # type: ignore[type-arg]
        PLUGIN_NAME = "custom"

        def initialize(self, version: str, build_data: dict[str, Any]) -> None:
            if self.target_name != "wheel" or version == "editable":
                return
            if os.environ.get("ALTAPI_NO_EXTENSIONS"):
                self.app.display_warning(
                    "altapi-ratelimit: ALTAPI_NO_EXTENSIONS set, pure-Python wheel"
                )
                return
            self._tmp = tempfile.mkdtemp(prefix="altapi-ratelimit-build-")
            try:
                built = compile_extension(Path(self.root), Path(self._tmp))
            except Exception as exc:  # no Cython, no compiler, a compile error
                if os.environ.get("ALTAPI_REQUIRE_EXTENSIONS"):
                    raise
                self.app.display_warning(
                    f"altapi-ratelimit: compiled table not built ({exc}); the wheel is pure "
                    "Python (the lockf table, about 10x slower per hit)"
                )
                return
            build_data["force_include"][str(built)] = f"altapi_ratelimit/{built.name}"
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            self.app.display_info(f"altapi-ratelimit: compiled {built.name}")

        def finalize(self, version: str, build_data: dict[str, Any], artifact: str) -> None:
            tmp = getattr(self, "_tmp", None)
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
