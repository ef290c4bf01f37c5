"""Verification answers a user relies on in the rarer cases: a non-object credential, an issuer
DID of another chain, a subject that is no did:ethr DID presented by a holder, a schema document
that does not hash to the schema id."""

from __future__ import annotations

import copy
from collections.abc import Callable

from thekey.credentials import IssuedCredential
from thekey.credentials.verify import verify_credential, verify_credentials

from .conftest import DEGREE_SCHEMA, Env


def test_verify__a_non_object_is_a_format_failure(env: Env) -> None:
    (result,) = verify_credentials(env.registry, [["not", "a", "credential"]])  # type: ignore[list-item]
    assert not result.valid and result.failed == {"format"}
    check = result.check("format")
    assert check is not None and check.reason == "a credential is a JSON object"


def test_verify__issuer_did_of_another_chain_fails_the_issuer_check(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    vc = copy.deepcopy(anchored().credential)
    vc["issuer"] = vc["issuer"].replace("did:ethr:0x7a69:", "did:ethr:0x1:")
    result = verify_credential(env.registry, vc)
    check = result.check("issuer")
    assert check is not None and not check.ok and check.reason == "the issuer's DID is on chain 1, not 31337"


def test_verify__holder_check_when_the_subject_is_not_a_did(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    vc = copy.deepcopy(anchored().credential)
    vc["credentialSubject"]["id"] = "urn:uuid:1234"
    result = verify_credential(env.registry, vc, holder=env.holder_did)
    check = result.check("holder")
    assert check is not None and not check.ok and "is not a did:ethr DID" in check.reason


def test_verify__a_schema_document_that_does_not_hash_to_the_id_fails_the_schema_check(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    item = anchored()
    wrong = {**DEGREE_SCHEMA, "title": "something else"}
    result = verify_credential(env.registry, item.credential, schemas={env.schema_id: wrong})
    check = result.check("schema")
    assert check is not None and not check.ok and "does not hash to the credential's schema id" in check.reason
    assert verify_credential(env.registry, item.credential, schemas={env.schema_id: DEGREE_SCHEMA}).valid
