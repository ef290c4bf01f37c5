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


def load_artifacts(folder: Path | None = None) -> Artifacts:
    if folder is None:
        from thekey.config import project_root

        folder = project_root() / "build" / "contracts"
    return Artifacts(folder)
