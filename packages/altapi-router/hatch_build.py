"""Hatch build hook: compile `_ctree.pyx` with Cython into the `altapi_router._ctree` extension.

Acts on the wheel target only. Without Cython or a C compiler the wheel is still
built, pure Python, and the build says so (ALTAPI_REQUIRE_EXTENSIONS=1 makes that
an error, for CI). `ALTAPI_NO_EXTENSIONS=1` skips compiling altogether.
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

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MODULE = "altapi_router._ctree"
SOURCE = Path("src/altapi_router/_ctree.pyx")


class CythonBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        if os.environ.get("ALTAPI_NO_EXTENSIONS"):
            self.app.display_warning("altapi-router: ALTAPI_NO_EXTENSIONS set, pure-Python wheel")
            return
        self._tmp = tempfile.mkdtemp(prefix="altapi-router-build-")
        try:
            built = self._compile(Path(self.root), Path(self._tmp))
        except Exception as exc:  # no Cython, no compiler, a compile error
            if os.environ.get("ALTAPI_REQUIRE_EXTENSIONS"):
                raise
            self.app.display_warning(
                f"altapi-router: compiled router not built ({exc}); the wheel is pure Python"
            )
            return
        build_data["force_include"][str(built)] = f"altapi_router/{built.name}"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        self.app.display_info(f"altapi-router: compiled {built.name}")

    def finalize(self, version: str, build_data: dict[str, Any], artifact: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def _compile(root: Path, tmp: Path) -> Path:
        import Cython  # noqa: F401 - fail early and clearly when Cython is missing

        c_file = tmp / "_ctree.c"
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
        target = tmp / f"_ctree{suffix}"
        compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
        include = sysconfig.get_paths()["include"]
        subprocess.run(
            [
                *compiler.split(),
                "-shared",
                "-fPIC",
                "-O2",
                f"-I{include}",
                str(c_file),
                "-o",
                str(target),
            ],
            check=True,
        )
        return target
