"""Industry rules (step 3): may this kind of provider ask for this data, for this purpose, at this price?

A rules file is YAML (see ``thekey/data/industry-rules.yaml``)::

    version: 1
    name: …
    rules:
      - provider_category: insurer
        scopes: [health.record]
        purposes: [insurance-underwriting]
        min_price: "10"          # TKY

The policy version recorded with every decision is the keccak-256 of the canonical JSON of
the parsed rules, so an audit can tell exactly which rules a decision was made under.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from thekey.errors import BadInput
from thekey.hashing import keccak
from thekey.ids import HexFields
from thekey.parsing import format_amount, parse_amount, read_text


@dataclass(frozen=True)
class Rule:
    provider_category: str
    scopes: frozenset[str]
    purposes: frozenset[str]
    min_price: int  # wei of TKY


@dataclass(frozen=True)
class PolicyDecision(HexFields):
    allowed: bool
    reason: str
    policy_version: bytes

    @property
    def code(self) -> str:
        """The decline reason code (see thekey.workflow.reasons), or "allowed"."""
        return "allowed" if self.allowed else "policy:" + self.reason.split(":", 1)[0]


@dataclass(frozen=True)
class Policy(HexFields):
    name: str
    rules: tuple[Rule, ...]
    version: bytes

    @classmethod
    def default(cls) -> Policy:
        text = resources.files("thekey.data").joinpath("industry-rules.yaml").read_text()
        return cls.parse(text, "industry-rules.yaml")

    @classmethod
    def load(cls, path: Path) -> Policy:
        return cls.parse(read_text(path), str(path))

    @classmethod
    def parse(cls, text: str, where: str = "rules") -> Policy:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise BadInput(f"{where}: not valid YAML ({type(exc).__name__})") from None
        if not isinstance(doc, dict) or doc.get("version") != 1 or not isinstance(doc.get("rules"), list):
            raise BadInput(f"{where}: expected a mapping with 'version: 1' and a 'rules' list")
        rules = tuple(_rule(r, f"{where}: rule {i + 1}") for i, r in enumerate(doc["rules"]))
        if not rules:
            raise BadInput(f"{where}: no rules")
        canonical = [
            {"provider_category": r.provider_category, "scopes": sorted(r.scopes),
             "purposes": sorted(r.purposes), "min_price": str(r.min_price)}
            for r in rules
        ]  # fmt: skip
        version = keccak(text=json.dumps(canonical, sort_keys=True, separators=(",", ":")))
        return cls(str(doc.get("name", where)), rules, version)

    def check(self, provider_category: str, scope: str, purpose: str, price: int) -> PolicyDecision:
        """The decision for one request; the reason names the first unmet condition."""
        candidates = [r for r in self.rules if r.provider_category == provider_category]
        if not candidates:
            return PolicyDecision(
                False, f"category-not-allowed: {provider_category!r} may request no data", self.version
            )
        candidates = [r for r in candidates if scope in r.scopes]
        if not candidates:
            return PolicyDecision(
                False, f"scope-not-allowed: {provider_category} may not request {scope!r}", self.version
            )
        candidates = [r for r in candidates if purpose in r.purposes]
        if not candidates:
            return PolicyDecision(
                False, f"purpose-not-allowed: {provider_category} may not use {scope} for {purpose!r}", self.version
            )
        floor = min(r.min_price for r in candidates)
        if price < floor:
            return PolicyDecision(
                False, f"price-below-floor: {format_amount(price)} TKY < {format_amount(floor)} TKY", self.version
            )
        return PolicyDecision(True, "allowed", self.version)


def _strings(value: Any, what: str) -> frozenset[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise BadInput(f"{what} must be a non-empty list of names")
    return frozenset(v.strip() for v in value)


def _rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: a rule is a mapping")
    unknown = set(raw) - {"provider_category", "scopes", "purposes", "min_price"}
    if unknown:
        raise BadInput(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    category = raw.get("provider_category")
    if not isinstance(category, str) or not category.strip():
        raise BadInput(f"{where}: provider_category must be a name")
    price = raw.get("min_price", "0")
    if not isinstance(price, (str, int)) or isinstance(price, bool):
        raise BadInput(f'{where}: min_price must be an amount of TKY such as "10"')
    try:
        min_price = parse_amount(str(price))
    except BadInput as exc:
        raise BadInput(f"{where}: min_price: {exc}") from None
    return Rule(
        category.strip(),
        _strings(raw.get("scopes"), f"{where}: scopes"),
        _strings(raw.get("purposes"), f"{where}: purposes"),
        min_price,
    )
