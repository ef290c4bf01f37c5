"""RFC 8785 canonical JSON: the fast path (the ``json`` C encoder on plain documents) and the
``rfc8785`` library agree on every document, and both agree with ``canonicalize``, the RFC
author's reference implementation in JavaScript, on a few hundred generated documents."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from thekey.config import project_root
from thekey.credentials.canonical import _plain, canonical_json
from thekey.errors import BadInput

# strings with control characters, quotes, backslashes, DEL, U+2028, non-BMP characters
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ['"', "\\", "\x00\x1f\x7f", "\u2028\u2029", "😀", "\ue000", "é", "\b\t\n\f\r"]
)
SCALARS = (
    TEXT
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.sampled_from([0, -1, 2**53 - 1, -(2**53) + 1])
    | st.booleans()
    | st.none()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(min_value=1e-4, max_value=1e16)  # the fast path's range, and its edges
    | st.sampled_from([1e-4, 1e16, 1e16 - 2, 9999999999999998.0, 0.00010000000000000002])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(JSON)
def test_canonical_json__equals_the_rfc8785_library_on_any_document(document: Any) -> None:
    assert canonical_json(document) == rfc8785.dumps(document)


def test_canonical_json__takes_the_fast_path_only_for_plain_documents() -> None:
    assert _plain({"a": ["x", 1, True, None, {"b": 2**53 - 1}, 3.7, -0.0001, 123456789.125]})
    for not_plain in ({"é": 1}, [1.0], [-0.0], [1e-5], [1e16], [2**53], [-(2**53)], ("a",), {1: "a"}):
        assert not _plain(not_plain), not_plain


def test_canonical_json__refuses_what_rfc8785_refuses() -> None:
    for bad in ({"a": "\ud800"}, [2**64], {"a": float("nan")}):
        with pytest.raises(BadInput):
            canonical_json(bad)


NODE_CANONICALIZE = """
import canonicalize from 'canonicalize';
import fs from 'fs';
const documents = JSON.parse(fs.readFileSync(0, 'utf8'));
console.log(JSON.stringify(documents.map((d) => canonicalize(d))));
"""


def _document(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON document JavaScript reads exactly (no integers beyond 2^53)."""
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return "".join(rng.choice('ab"\\\x01\x1f\x7fé€😀\u2028 ') for _ in range(rng.randrange(6)))
    if kind == 1:
        return rng.randrange(-(2**53) + 1, 2**53)
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.choice(
            [
                0.1,
                1e21,
                1e-7,
                -0.0,
                333333333.33333329,
                5e-324,
                1.7976931348623157e308,
                4.5,
                3.7,
                0.0001,
                9999999999999998.5,
                1e15 + 0.5,
                2.0,
                rng.uniform(-1e6, 1e6),
                rng.uniform(1e-4, 1e-3),
                rng.uniform(1e15, 1e16),
            ]
        )
    if kind == 4:
        return rng.randrange(-1000, 1000)
    if kind == 5:
        return [_document(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = ["a", "B", "é", "€", "😀", "\ue000", "aa", "", "\x01"]
    return {rng.choice(keys): _document(rng, depth + 1) for _ in range(rng.randrange(5))}


def test_canonical_json__equals_the_reference_canonicalize_package() -> None:
    node = shutil.which("node")
    assert node, "node is required"
    rng = random.Random(8785)
    documents = [_document(rng) for _ in range(400)]
    out = subprocess.run(
        [node, "--input-type=module", "-e", NODE_CANONICALIZE],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        check=True,
        cwd=project_root(),
    )
    expected = json.loads(out.stdout)
    assert any(_plain(d) for d in documents) and not all(_plain(d) for d in documents)  # both paths tried
    for document, reference in zip(documents, expected, strict=True):
        assert canonical_json(document).decode() == reference, document
