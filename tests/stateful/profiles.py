"""Hypothesis budgets for the invariant machines and fuzzers of tests/stateful and tests/security.

Two profiles, chosen by ``THEKEY_HYPOTHESIS_PROFILE``: ``ci`` (default; small, derandomised so
``make test`` is fast and reproducible) and ``deep`` (``make deep-test``: many more examples and
longer rule sequences, random seeds). Settings are applied per test, so other domains' tests
keep hypothesis's own defaults.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("THEKEY_HYPOTHESIS_PROFILE", "ci")
DEEP = PROFILE == "deep"

_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]


def budget(ci: int, deep: int, *, steps: tuple[int, int] | None = None) -> settings:
    """``ci`` examples in the fast profile, ``deep`` in the deep one; ``steps`` = rule-sequence
    lengths (stateful machines) in each profile."""
    kwargs: dict[str, object] = {}
    if steps is not None:
        kwargs["stateful_step_count"] = steps[1] if DEEP else steps[0]
    return settings(
        max_examples=deep if DEEP else ci,
        deadline=None,
        derandomize=not DEEP,
        database=None,
        suppress_health_check=_QUIET,
        print_blob=True,
        **kwargs,  # type: ignore[arg-type]
    )
