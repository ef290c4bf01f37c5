"""Compiling the contracts: the offline solc, the cached build, and artifact loading."""

from thekey.build.artifacts import Artifact, Artifacts, load_artifacts
from thekey.build.compiler import compile_project, compile_sources, suite_artifacts
from thekey.build.solc import ensure_solc

__all__ = [
    "Artifact",
    "Artifacts",
    "compile_project",
    "compile_sources",
    "ensure_solc",
    "load_artifacts",
    "suite_artifacts",
]
