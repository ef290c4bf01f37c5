"""Step 4, the identity check: a pluggable interface and a deterministic simulation.

``IdentityCheck`` is what a verifier plugs a real biometric / KYC provider into. The default,
``SimulatedIdentityCheck``, is a self-contained stand-in for the mission's "dynamic
multi-dimension identification": a government-record service holds enrolled biometric
templates (seeded random feature vectors, filed under a keyed hash of the subject's DID, never
the DID itself); a live sample is matched against the template (cosine similarity), then
cross-checked with behaviour signals (is the device known, is the hour usual) and scene
signals (where the request comes from against the subject's country) into one confidence.

Only hashes of the inputs leave this module (``IdentityCheckResult.inputs``); the feature
vectors, device ids and locations stay off chain.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
import struct
from dataclasses import dataclass, field
from typing import Protocol

from thekey.errors import BadInput
from thekey.hashing import keccak

FEATURES = 64
MODALITIES = ("fingerprint", "face", "iris")


@dataclass(frozen=True)
class BiometricSample:
    modality: str
    features: tuple[float, ...]

    def digest(self) -> bytes:
        return keccak(self.modality.encode() + b"".join(struct.pack(">d", f) for f in self.features))


@dataclass(frozen=True)
class Signals:
    """Behaviour and scene context of one verification attempt (all stays off chain)."""

    device_id: str
    request_country: str  # where the request is made from (ISO 3166 alpha-2)
    home_country: str  # the subject's country of record
    hour_utc: int

    def digest(self) -> bytes:
        return keccak(text=f"{self.device_id}|{self.request_country}|{self.home_country}|{self.hour_utc}")


@dataclass(frozen=True)
class IdentityCheckResult:
    subject: str
    match_score: float
    behaviour_score: float
    scene_score: float
    confidence: float
    threshold: float
    passed: bool
    reason: str
    inputs: dict[str, str] = field(default_factory=dict)  # name → 0x-hash
    code: str = "identity:confirmed"  # a decline reason code of thekey.workflow.reasons when not passed

    def as_json(self) -> dict[str, object]:
        return {
            "matchScore": self.match_score, "behaviourScore": self.behaviour_score, "sceneScore": self.scene_score,
            "confidence": self.confidence, "threshold": self.threshold, "passed": self.passed,
            "reason": self.reason, "inputs": dict(self.inputs),
        }  # fmt: skip


class IdentityCheck(Protocol):
    """What a verifier's identity-check provider implements."""

    def check(self, subject_did: str, sample: BiometricSample, signals: Signals) -> IdentityCheckResult: ...


def synthetic_template(seed: str, modality: str = "fingerprint") -> tuple[float, ...]:
    """A deterministic unit-length feature vector for a simulated person."""
    rng = random.Random(hashlib.sha256(f"{seed}|{modality}".encode()).digest())
    v = [rng.gauss(0.0, 1.0) for _ in range(FEATURES)]
    norm = math.sqrt(sum(x * x for x in v))
    return tuple(x / norm for x in v)


def capture(
    template: tuple[float, ...], modality: str, *, noise: float = 0.05, seed: str = "capture"
) -> BiometricSample:
    """A simulated live capture of ``template``: the same vector with sensor noise."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    return BiometricSample(modality, tuple(x + rng.gauss(0.0, noise / math.sqrt(FEATURES)) for x in template))


def _cosine(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    if len(a) != len(b) or not a:
        raise BadInput("a biometric sample and template differ in length")
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    return 0.0 if na == 0 or nb == 0 else dot / (na * nb)


class GovernmentRecordService:
    """Simulated government-certified biometric records, filed under HMAC(pepper, DID)."""

    def __init__(self, pepper: bytes) -> None:
        if len(pepper) < 16:
            raise BadInput("the record service's pepper must be at least 16 bytes")
        self._pepper = pepper
        self._templates: dict[tuple[bytes, str], tuple[float, ...]] = {}

    def _key(self, subject_did: str) -> bytes:
        return hmac.new(self._pepper, subject_did.encode(), hashlib.sha256).digest()

    def enroll(self, subject_did: str, modality: str, template: tuple[float, ...]) -> bytes:
        """Enroll a template; returns its commitment (keyed hash), which may be published."""
        if modality not in MODALITIES:
            raise BadInput(f"unknown modality {modality!r} (one of {', '.join(MODALITIES)})")
        self._templates[(self._key(subject_did), modality)] = template
        return self.commitment(subject_did, modality)

    def template(self, subject_did: str, modality: str) -> tuple[float, ...] | None:
        return self._templates.get((self._key(subject_did), modality))

    def commitment(self, subject_did: str, modality: str) -> bytes:
        template = self.template(subject_did, modality)
        if template is None:
            return b"\x00" * 32
        packed = b"".join(struct.pack(">d", f) for f in template)
        return hmac.new(self._pepper, modality.encode() + packed, hashlib.sha256).digest()


@dataclass
class BehaviourHistory:
    """Devices (by hash) and active hours seen for each subject."""

    devices: dict[str, set[bytes]] = field(default_factory=dict)
    usual_hours: dict[str, tuple[int, int]] = field(default_factory=dict)

    def remember(self, subject_did: str, device_id: str, hours: tuple[int, int] = (6, 23)) -> None:
        self.devices.setdefault(subject_did, set()).add(keccak(text=device_id))
        self.usual_hours[subject_did] = hours


@dataclass
class SimulatedIdentityCheck:
    """Biometric match (weight 0.6), behaviour (0.25) and scene (0.15) into one confidence.

    Passes when the biometric match alone is at least ``min_match`` and the confidence at
    least ``threshold``: a strong context cannot make up for a face that does not match.
    """

    records: GovernmentRecordService
    behaviour: BehaviourHistory = field(default_factory=BehaviourHistory)
    threshold: float = 0.85
    min_match: float = 0.90
    weights: tuple[float, float, float] = (0.6, 0.25, 0.15)

    def check(self, subject_did: str, sample: BiometricSample, signals: Signals) -> IdentityCheckResult:
        template = self.records.template(subject_did, sample.modality)
        inputs = {
            "sample": "0x" + sample.digest().hex(),
            "template": "0x" + self.records.commitment(subject_did, sample.modality).hex(),
            "signals": "0x" + signals.digest().hex(),
        }
        if template is None:
            return IdentityCheckResult(subject_did, 0.0, 0.0, 0.0, 0.0, self.threshold, False,
                                       "no enrolled record for this subject and modality", inputs,
                                       "identity:no-record")  # fmt: skip
        match = max(0.0, _cosine(sample.features, template))
        known = keccak(text=signals.device_id) in self.behaviour.devices.get(subject_did, set())
        start, end = self.behaviour.usual_hours.get(subject_did, (0, 24))
        behaviour = (1.0 if known else 0.5) - (0.0 if start <= signals.hour_utc < end else 0.2)
        scene = 1.0 if signals.request_country == signals.home_country else 0.6
        w_match, w_behaviour, w_scene = self.weights
        confidence = round(w_match * match + w_behaviour * behaviour + w_scene * scene, 6)
        if match < self.min_match:
            passed, code, reason = (
                False,
                "identity:biometric-mismatch",
                f"biometric mismatch (match {match:.3f} < {self.min_match})",
            )
        elif confidence < self.threshold:
            passed, code, reason = (
                False,
                "identity:low-confidence",
                f"low confidence ({confidence:.3f} < {self.threshold})",
            )
        else:
            passed, code, reason = True, "identity:confirmed", "identity confirmed"
        return IdentityCheckResult(subject_did, round(match, 6), behaviour, scene, confidence,
                                   self.threshold, passed, reason, inputs, code)  # fmt: skip
