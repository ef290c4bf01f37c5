"""Single anchoring: write-once, authorisation, schema rules, status changes, validity view."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_utils import keccak

from thekey.credentials import IssuedCredential, IssuerStatus, StatusAction, Validity
from thekey.credentials.anchoring import ISSUER_DELEGATE_TYPE
from thekey.errors import ContractRevert

from .conftest import DEGREE_SCHEMA, DEGREE_TYPE, YEAR, Env

REASON = keccak(text="reason")


def test_anchor__records_issuer_schema_window_and_status_entry(env: Env) -> None:
    item = env.issue()
    receipt = env.registry.anchor(env.issuer, item.hash, env.schema_id, 1000, 0, item.status_index)
    a = env.registry.get_anchor(env.issuer.address, item.hash)
    assert (a.issuer, a.schema_id, a.valid_from, a.valid_until, a.status_index, a.count) == (
        env.issuer.address,
        env.schema_id,
        1000,
        0,
        item.status_index,
        0,
    )
    assert a.anchored_at == env.chain.timestamp()
    (event,) = env.registry.events(receipt, "CredentialAnchored")
    assert event["credentialHash"] == item.hash and event["statusIndex"] == item.status_index
    assert env.registry.is_valid(env.issuer.address, item.hash)


def test_anchor__is_write_once(env: Env, anchored: Callable[..., IssuedCredential]) -> None:
    item = anchored()
    with pytest.raises(ContractRevert) as e:
        env.registry.anchor(env.issuer, item.hash, env.schema_id, 0, 0, item.status_index + 1)
    assert e.value.name == "CredentialAlreadyAnchored"
    assert e.value.arguments == {"issuer": env.issuer.address, "credentialHash": item.hash}


def test_anchor__reverts_for_unregistered_account(env: Env) -> None:
    shared, _ = env.registry.register_schema(env.governor, {"title": "shared", "type": "object"}, DEGREE_TYPE)
    with pytest.raises(ContractRevert) as e:
        env.registry.anchor(env.stranger, keccak(b"x"), shared, 0, 0, 1)
    assert e.value.name == "IssuerNotAuthorised"
    assert e.value.arguments["issuer"] == env.stranger.address
    with pytest.raises(ContractRevert) as e:  # an issuer's own schema is that issuer's only
        env.registry.anchor(env.stranger, keccak(b"x"), env.schema_id, 0, 0, 1)
    assert e.value.name == "SchemaNotUsable"
    assert e.value.arguments == {"schemaId": env.schema_id, "issuer": env.stranger.address}


def test_anchor__reverts_for_type_not_granted(env: Env) -> None:
    other_type = keccak(text="PassportCredential")
    sid, _ = env.registry.register_schema(env.governor, {"title": "passport", "type": "object"}, other_type)
    with pytest.raises(ContractRevert) as e:
        env.registry.anchor(env.issuer, keccak(b"x"), sid, 0, 0, 1)
    assert e.value.name == "IssuerNotAuthorised" and e.value.arguments["credentialType"] == other_type
    env.registry.set_issuer_types(env.governor, env.issuer.address, [other_type], True)
    env.registry.anchor(env.issuer, keccak(b"x"), sid, 0, 0, 1)


def test_anchor__reverts_while_issuer_suspended_and_after_removal(env: Env) -> None:
    env.registry.suspend_issuer(env.governor, env.issuer.address, REASON)
    with pytest.raises(ContractRevert) as e:
        env.registry.anchor(env.issuer, keccak(b"x"), env.schema_id, 0, 0, 1)
    assert e.value.name == "IssuerNotActive"  # said as it is: suspended, not "not authorised"
    assert "status=Suspended" in str(e.value)
    env.registry.reinstate_issuer(env.governor, env.issuer.address, REASON)
    env.registry.anchor(env.issuer, keccak(b"x"), env.schema_id, 0, 0, 1)
    env.registry.remove_issuer(env.governor, env.issuer.address, REASON)
    with pytest.raises(ContractRevert) as e:
        env.registry.anchor(env.issuer, keccak(b"y"), env.schema_id, 0, 0, 2)
    assert e.value.name == "IssuerNotActive" and "status=Removed" in str(e.value)


def test_anchor__reverts_for_unknown_or_deprecated_schema(env: Env) -> None:
    with pytest.raises(ContractRevert) as e:
        env.registry.anchor(env.issuer, keccak(b"x"), keccak(b"no schema"), 0, 0, 1)
    assert e.value.name == "SchemaUnknown"
    env.registry.deprecate_schema(env.issuer, env.schema_id)
    with pytest.raises(ContractRevert) as e:
        env.registry.anchor(env.issuer, keccak(b"x"), env.schema_id, 0, 0, 1)
    assert e.value.name == "SchemaIsDeprecated"


def test_anchor__reverts_for_bad_window_zero_hash_and_bad_status_index(env: Env) -> None:
    now = env.chain.timestamp()
    cases = [
        ((keccak(b"x"), env.schema_id, now + 10, now + 5, 1), "CredentialInvalidWindow"),
        ((keccak(b"x"), env.schema_id, 0, now - 1, 1), "CredentialInvalidWindow"),
        ((keccak(b"x"), env.schema_id, 2**40, 0, 1), "CredentialInvalidWindow"),
        ((b"\x00" * 32, env.schema_id, 0, 0, 1), "CredentialInvalidAnchor"),
        ((keccak(b"x"), env.schema_id, 0, 0, 0), "CredentialInvalidStatusIndex"),
        ((keccak(b"x"), env.schema_id, 0, 0, 128), "CredentialInvalidStatusIndex"),
    ]
    for args, name in cases:
        with pytest.raises(ContractRevert) as e:
            env.registry.anchor(env.issuer, *args)
        assert e.value.name == name, args


def test_anchor__past_the_list_end_prepares_the_entry_word(env: Env) -> None:
    reg, who = env.registry, env.issuer.address
    assert reg.get_issuer(who).status_watermark == 128 and reg.status_words(who) == [1]  # word 0 at admission
    reg.anchor(env.issuer, keccak(b"a"), env.schema_id, 0, 0, 5)
    assert reg.get_issuer(who).status_watermark == 128  # inside the list: no issuer write
    reg.anchor(env.issuer, keccak(b"b"), env.schema_id, 0, 0, 300)  # a gap is allowed
    assert reg.get_issuer(who).status_watermark == 384
    assert reg.status_words(who) == [1, 0, 1]  # word 2 prepared (sentinel), skipped word 1 untouched
    receipt = reg.revoke(env.issuer, keccak(b"b"), REASON)
    assert reg.status_words(who)[2] == 1 | (1 << (2 * (300 % 128)))
    assert receipt.gas_used < 40_000  # an update of a prepared word, not a fresh slot


def test_anchor__sdk_allocates_past_every_used_index(env: Env) -> None:
    from thekey.credentials.issuance import next_status_indexes

    reg = env.registry
    assert next_status_indexes(reg, env.issuer.address, 2) == [1, 2]
    reg.anchor(env.issuer, keccak(b"a"), env.schema_id, 0, 0, 300)
    assert next_status_indexes(reg, env.issuer.address, 1) == [301]
    reg.anchor_batch(env.issuer, keccak(b"root"), env.schema_id, 0, 0, 301, 300)
    assert next_status_indexes(reg, env.issuer.address, 2) == [601, 602]
    assert next_status_indexes(reg, env.issuer.address, 1, None) == [601]
    assert next_status_indexes(reg, env.stranger.address, 1) == [1]


def test_status__revoke_is_final_and_suspension_reversible(env: Env, anchored: Callable[..., IssuedCredential]) -> None:
    item = anchored()
    env.registry.suspend(env.issuer, item.hash, REASON)
    assert env.registry.validity_of(env.issuer.address, item.hash) == Validity.SUSPENDED
    env.registry.reinstate(env.issuer, item.hash, REASON)
    assert env.registry.validity_of(env.issuer.address, item.hash) == Validity.VALID
    receipt = env.registry.revoke(env.issuer, item.hash, REASON)
    (event,) = env.registry.events(receipt, "CredentialStatusChanged")
    assert event["action"] == StatusAction.REVOKE and event["reason"] == REASON
    assert env.registry.validity_of(env.issuer.address, item.hash) == Validity.REVOKED
    for op in (env.registry.revoke, env.registry.reinstate):
        with pytest.raises(ContractRevert) as e:
            op(env.issuer, item.hash, REASON)
        assert e.value.name == "CredentialStatusUnchanged"
    env.registry.suspend(env.issuer, item.hash, REASON)
    with pytest.raises(ContractRevert):
        env.registry.reinstate(env.issuer, item.hash, REASON)  # clears nothing a revocation holds
    assert env.registry.status_of(env.issuer.address, item.status_index) == (True, True)


def test_status__reverts_for_stranger_and_unknown_hash(env: Env, anchored: Callable[..., IssuedCredential]) -> None:
    item = anchored()
    for op in (env.registry.revoke, env.registry.suspend, env.registry.reinstate):
        with pytest.raises(ContractRevert) as e:
            op(env.stranger, item.hash, REASON, issuer=env.issuer.address)
        assert e.value.name == "CredentialUnauthorisedCaller"
    with pytest.raises(ContractRevert) as e:
        env.registry.revoke(env.issuer, keccak(b"unknown"), REASON)
    assert e.value.name == "CredentialNotAnchored"
    with pytest.raises(ContractRevert) as e:
        env.registry.update_status(env.stranger, env.issuer.address, StatusAction.REVOKE, [item.status_index], REASON)
    assert e.value.name == "CredentialUnauthorisedCaller"


def test_status__did_controller_and_verikey_delegate_may_change_status(
    env: Env, anchored: Callable[..., IssuedCredential], identities: object, accounts: list
) -> None:
    item = anchored()
    delegate, controller = accounts[5], accounts[6]
    idr = identities
    env.chain.transact(
        idr.functions.addDelegate(env.issuer.address, ISSUER_DELEGATE_TYPE, delegate.address, 3600),  # type: ignore[attr-defined]
        env.issuer,
    )
    who = env.issuer.address
    env.registry.suspend(delegate, item.hash, REASON, issuer=who)
    env.chain.transact(idr.functions.changeOwner(env.issuer.address, controller.address), env.issuer)  # type: ignore[attr-defined]
    env.registry.reinstate(controller, item.hash, REASON, issuer=who)
    env.chain.increase_time(3601)  # the delegation expired
    with pytest.raises(ContractRevert) as e:
        env.registry.revoke(delegate, item.hash, REASON, issuer=who)
    assert e.value.name == "CredentialUnauthorisedCaller"


def test_update_status__changes_many_entries_in_one_transaction(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    items = [anchored(claims={"degree": f"BSc {n}"}) for n in range(3)]
    indexes = [i.status_index for i in items]
    receipt = env.registry.update_status(env.issuer, env.issuer.address, StatusAction.SUSPEND, indexes, REASON)
    (event,) = env.registry.events(receipt, "StatusEntriesChanged")
    assert event["entries"] == sum(1 << i for i in indexes)
    assert env.registry.is_valid_batch([(env.issuer.address, i.hash) for i in items]) == [False, False, False]
    env.registry.update_status(env.issuer, env.issuer.address, StatusAction.REVOKE, indexes[:1], REASON)
    env.registry.update_status(env.issuer, env.issuer.address, StatusAction.REINSTATE, indexes, REASON)
    assert [env.registry.validity_of(env.issuer.address, i.hash) for i in items] == [
        Validity.REVOKED,
        Validity.VALID,
        Validity.VALID,
    ]
    assert env.registry.status_of(env.issuer.address, indexes[0]) == (True, True)  # revocation keeps its suspension


def test_update_status__rejects_unallocated_and_reserved_indexes(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    anchored()
    end = env.registry.get_issuer(env.issuer.address).status_watermark
    for index in (0, end, 128, 2**40):
        with pytest.raises(ContractRevert) as e:
            env.registry.update_status(env.issuer, env.issuer.address, StatusAction.REVOKE, [index], REASON)
        assert e.value.name == "CredentialStatusIndexNotAllocated"


def test_validity__window_not_yet_valid_then_valid_then_expired(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    now = env.chain.timestamp()
    item = anchored(valid_from=now + 1000, valid_until=now + 2000)
    assert env.registry.validity_of(env.issuer.address, item.hash) == Validity.NOT_YET_VALID
    env.chain.set_next_block_timestamp(now + 1000)
    env.chain.mine()
    assert env.registry.validity_of(env.issuer.address, item.hash) == Validity.VALID
    env.chain.set_next_block_timestamp(now + 2000)
    env.chain.mine()
    assert env.registry.validity_of(env.issuer.address, item.hash) == Validity.VALID  # validUntil is inclusive
    env.chain.mine()
    env.chain.increase_time(1)
    assert env.registry.validity_of(env.issuer.address, item.hash) == Validity.EXPIRED


def test_validity__issuer_history_suspension_keeps_removal_and_deactivation_void(
    env: Env, anchored: Callable[..., IssuedCredential], identities: object
) -> None:
    item = anchored()
    env.registry.suspend_issuer(env.governor, env.issuer.address, REASON)
    assert env.registry.is_valid(env.issuer.address, item.hash)  # anchored while authorised: still valid
    env.registry.set_issuer_types(env.governor, env.issuer.address, [DEGREE_TYPE], False)
    assert env.registry.is_valid(env.issuer.address, item.hash)
    snapshot = env.chain.snapshot()
    env.chain.transact(identities.functions.deactivate(env.issuer.address), env.issuer)  # type: ignore[attr-defined]
    assert env.registry.validity_of(env.issuer.address, item.hash) == Validity.ISSUER_DEACTIVATED
    env.chain.revert_to(snapshot)
    env.registry.remove_issuer(env.governor, env.issuer.address, REASON)
    assert env.registry.validity_of(env.issuer.address, item.hash) == Validity.ISSUER_REMOVED
    assert env.registry.validity_of(env.issuer.address, keccak(b"never")) == Validity.NOT_ANCHORED


def test_issuers__lifecycle_and_governance_only(env: Env, accounts: list) -> None:
    reg, gov, new = env.registry, env.governor, accounts[7].address
    for call, args in (
        (reg.add_issuer, (new, b"\x01" * 32, [])),
        (reg.suspend_issuer, (env.issuer.address, REASON)),
        (reg.reinstate_issuer, (env.issuer.address, REASON)),
        (reg.remove_issuer, (env.issuer.address, REASON)),
        (reg.set_issuer_types, (env.issuer.address, [DEGREE_TYPE], False)),
    ):
        with pytest.raises(ContractRevert) as e:
            call(env.stranger, *args)  # type: ignore[operator]
        assert e.value.name == "AccessControlUnauthorizedAccount"
    reg.add_issuer(gov, new, b"\x01" * 32, [DEGREE_TYPE])
    info = reg.get_issuer(new)
    assert (info.id, info.status, info.status_watermark) == (2, IssuerStatus.ACTIVE, 128)
    assert reg.is_authorised(new, DEGREE_TYPE) and reg.issuer_count() == 2
    assert reg.contract.functions.issuerById(2).call() == new
    assert reg.contract.functions.issuerById(3).call() == "0x" + "00" * 20
    with pytest.raises(ContractRevert) as e:
        reg.add_issuer(gov, new, b"\x01" * 32, [])
    assert e.value.name == "IssuerAlreadyRegistered"
    with pytest.raises(ContractRevert) as e:
        reg.reinstate_issuer(gov, new, REASON)
    assert e.value.name == "IssuerInvalidStatus"
    reg.remove_issuer(gov, new, REASON)
    for call in (reg.suspend_issuer, reg.remove_issuer):
        with pytest.raises(ContractRevert) as e:
            call(gov, new, REASON)
        assert e.value.name == "IssuerInvalidStatus"
    assert not reg.is_authorised(new, DEGREE_TYPE)


def test_schemas__id_binds_publisher_type_and_document_and_registration_is_gated(env: Env) -> None:
    from thekey.credentials.schemas import document_hash, schema_id

    reg = env.registry
    s = reg.get_schema(env.schema_id)
    assert (s.publisher, s.index, s.version, s.credential_type) == (env.issuer.address, 1, 1, DEGREE_TYPE)
    assert env.schema_id == schema_id(env.issuer.address, DEGREE_TYPE, DEGREE_SCHEMA)
    assert reg.contract.functions.schemaIdOf(env.issuer.address, DEGREE_TYPE, document_hash(DEGREE_SCHEMA)).call() == (
        env.schema_id
    )
    assert reg.contract.functions.schemaIdAt(1).call() == env.schema_id
    assert reg.schema_document(env.schema_id) == DEGREE_SCHEMA
    # the same (publisher, type, document) again: a clear error, never a silent success
    with pytest.raises(ContractRevert) as e:
        reg.register_schema(env.issuer, DEGREE_SCHEMA, DEGREE_TYPE, 9)
    assert e.value.name == "SchemaAlreadyRegistered"
    assert e.value.arguments == {"schemaId": env.schema_id, "publisher": env.issuer.address}
    # the same document published by governance is another (shared) schema
    sid, receipt = reg.register_schema(env.governor, DEGREE_SCHEMA, DEGREE_TYPE, 9)
    assert sid != env.schema_id and reg.get_schema(sid).publisher == env.governor.address
    (event,) = reg.events(receipt, "SchemaRegistered")
    assert (event["schemaId"], event["publisher"], event["documentHash"], event["credentialType"]) == (
        sid, env.governor.address, document_hash(DEGREE_SCHEMA), DEGREE_TYPE)  # fmt: skip
    assert {r.schema_id for r in reg.registrations(DEGREE_SCHEMA)} == {env.schema_id, sid}
    with pytest.raises(ContractRevert) as e:
        reg.register_schema(env.stranger, {"title": "x"}, DEGREE_TYPE)
    assert e.value.name == "SchemaUnauthorisedPublisher"
    assert e.value.arguments == {"publisher": env.stranger.address, "caller": env.stranger.address}
    with pytest.raises(ContractRevert) as e:
        reg.deprecate_schema(env.stranger, sid)
    assert e.value.name == "SchemaUnauthorisedDeprecation"
    reg.deprecate_schema(env.governor, sid)
    assert reg.get_schema(sid).deprecated_at == env.chain.timestamp()
    with pytest.raises(ContractRevert) as e:
        reg.deprecate_schema(env.issuer, sid)
    assert e.value.name == "SchemaIsDeprecated"


def test_validity__credentials_anchored_before_deprecation_stay_valid(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    item = anchored()
    env.registry.deprecate_schema(env.issuer, env.schema_id)
    assert env.registry.is_valid(env.issuer.address, item.hash)
    assert (
        env.registry.get_anchor(env.issuer.address, item.hash).valid_until
        == env.registry.get_anchor(env.issuer.address, item.hash).valid_from + YEAR
    )


def test_events__issuer_lifecycle_schema_and_batch_events_carry_their_values(env: Env, accounts: list) -> None:
    reg, gov, who = env.registry, env.governor, accounts[7].address
    with pytest.raises(ContractRevert) as e:
        reg.add_issuer(gov, "0x" + "00" * 20, b"\x01" * 32, [])
    assert e.value.name == "IssuerZeroAddress"
    receipt = reg.add_issuer(gov, who, b"\x01" * 32, [DEGREE_TYPE])
    (added,) = reg.events(receipt, "IssuerAdded")
    assert (added["issuer"], added["id"], added["nameHash"]) == (who, 2, b"\x01" * 32)
    (types,) = reg.events(receipt, "IssuerTypesChanged")
    assert (types["credentialTypes"], types["allowed"]) == ([DEGREE_TYPE], True)
    for call, name in ((reg.suspend_issuer, "IssuerSuspended"), (reg.reinstate_issuer, "IssuerReinstated"),
                       (reg.remove_issuer, "IssuerRemoved")):  # fmt: skip
        (event,) = reg.events(call(gov, who, REASON), name)
        assert (event["issuer"], event["reason"]) == (who, REASON)
    (dep,) = reg.events(reg.deprecate_schema(env.issuer, env.schema_id), "SchemaDeprecated")
    assert (dep["schemaId"], dep["by"]) == (env.schema_id, env.issuer.address)


def test_events__batch_anchored(env: Env) -> None:
    sid, _ = env.registry.register_schema(env.governor, {"title": "other", "type": "object"}, DEGREE_TYPE)
    receipt = env.registry.anchor_batch(env.issuer, keccak(b"root"), sid, 0, 0, 1, 7)
    (event,) = env.registry.events(receipt, "BatchAnchored")
    assert (event["root"], event["issuer"], event["schemaId"], event["firstStatusIndex"], event["count"]) == (
        keccak(b"root"), env.issuer.address, sid, 1, 7)  # fmt: skip
