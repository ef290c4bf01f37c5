"""Reading compiled artifacts written by :mod:`thekey.build.compiler`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from thekey.errors import ConfigError
from thekey.hashing import keccak


@dataclass(frozen=True)
class Artifact:
    name: str
    source: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    data: dict[str, Any]

    @property
    def fully_qualified_name(self) -> str:
        return f"{self.source}:{self.name}"

    @property
    def creation_hash(self) -> str:
        """keccak256 of the creation bytecode (constructor arguments excluded)."""
        return "0x" + keccak(hexstr=self.bytecode).hex()


class Artifacts:
    """The artifacts of one build folder, loaded lazily by contract name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        index_file = folder / "index.json"
        if not index_file.is_file():
            raise ConfigError(f"no build at {folder}: run `thekey compile`")
        self.index: dict[str, Any] = json.loads(index_file.read_text())
        self._cache: dict[str, Artifact] = {}

    @property
    def solc_version(self) -> str:
        return str(self.index["solcVersion"])

    def names(self) -> list[str]:
        return sorted(self.index["contracts"])

    def fully_qualified_names(self) -> list[str]:
        return sorted(fq for fqs in self.index["contracts"].values() for fq in fqs)

    def get(self, name: str) -> Artifact:
        """An artifact by contract name, or by ``source:Name`` where the name is ambiguous."""
        if ":" in name:
            fq = name
        else:
            options = self.index["contracts"].get(name)
            if not options:
                raise ConfigError(f"no compiled contract named {name!r}: run `thekey compile`")
            if len(options) > 1:
                raise ConfigError(f"contract name {name!r} is ambiguous: {', '.join(options)}")
            fq = options[0]
        if fq not in self._cache:
            source, _, cname = fq.rpartition(":")
            path = self.folder / "artifacts" / source / f"{cname}.json"
            if not path.is_file():
                raise ConfigError(f"no compiled contract {fq!r}: run `thekey compile`")
            d = json.loads(path.read_text())
            self._cache[fq] = Artifact(cname, source, d["abi"], d["bytecode"], d["deployedBytecode"], d)
        return self._cache[fq]

    @property
    def enums(self) -> dict[str, list[str]]:
        """Enum members by canonical name (``IPaymentEscrow.Status`` → ``["None", …]``)."""
        return dict(self.index.get("enums", {}))

    @cached_property
    def all_abi_items(self) -> list[dict[str, Any]]:
        """Every ABI item of every contract in the build (errors and events included)."""
        items: list[dict[str, Any]] = []
        for fq in self.fully_qualified_names():
            items.extend(self.get(fq).abi)
        return items

    @classmethod
    def from_bundle(cls, path: Path | None = None) -> Artifacts:
        """The suite bundled with the package (``thekey/contracts_data/suite.json``, see
        :mod:`thekey.build.bundle`)."""
        path = path or BUNDLE_PATH
        if not path.is_file():
            raise ConfigError(f"the package has no bundled contracts ({path}): reinstall thekey")
        bundle = json.loads(path.read_text(encoding="utf-8"))
        self = cls.__new__(cls)
        self.folder = path.parent
        names: dict[str, list[str]] = {}
        self._cache = {}
        for fq, d in bundle["contracts"].items():
            source, _, name = fq.rpartition(":")
            names.setdefault(name, []).append(fq)
            self._cache[fq] = Artifact(name, source, d["abi"], d["bytecode"], d["deployedBytecode"], d)
        self.index = {"solcVersion": bundle["compiler"]["version"], "contracts": names, "enums": bundle["enums"]}
        return self


#: Where :mod:`thekey.build.bundle` writes the suite shipped inside the package.
BUNDLE_PATH = Path(__file__).resolve().parents[1] / "contracts_data" / "suite.json"


def load_artifacts(folder: Path | None = None) -> Artifacts:
    """The artifacts of ``folder``; by default the checkout's ``build/contracts`` when there is one,
    else the suite bundled with the package."""
    if folder is not None:
        return Artifacts(folder)
    from thekey.config import find_project_root

    root = find_project_root()
    if root is not None and (root / "build" / "contracts" / "index.json").is_file():
        return Artifacts(root / "build" / "contracts")
    return Artifacts.from_bundle()
