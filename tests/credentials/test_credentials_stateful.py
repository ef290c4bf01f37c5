"""The status-list invariants against a Python model (hypothesis RuleBasedStateMachine), with
indexes allocated as the SDK does: no reserved index is used; the list end (watermark) is a
multiple of 128, only grows, and every word holding an entry is prepared while words past the
end are zero; a revocation bit is never cleared; suspension is reversible; `validityOf` agrees
with the model; one `updateStatus` call changes exactly the listed entries.

Anchoring is write-once: a credential hash or batch root anchored once can never be anchored
again, and its record never changes. Status transitions happen only as allowed: one credential's
revoke / suspend / reinstate that would change nothing reverts (`CredentialStatusUnchanged`), a
revocation is final, and no one but the issuer DID's controller changes a status (by index or by
hash). Anchors are read in the issuer's namespace. `isValid` agrees with the model.
(The `ci` / `deep` budgets of tests/stateful/profiles.py apply.)"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_utils import keccak
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.stateful.profiles import budget
from tests.stateful.reads import read_many
from thekey.credentials import Query, StatusAction, Validity
from thekey.credentials.status import allocate
from thekey.errors import ContractRevert

from .conftest import Env

REASON = keccak(text="model")


@dataclass
class Entry:
    hash: bytes | None  # singly anchored credentials have a hash; batch members only an index
    revoked: bool = False
    suspended: bool = False


def test_status_lists__match_their_model(env: Env) -> None:
    reg, issuer = env.registry, env.issuer

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = env.chain.snapshot()
            self.entries: dict[int, Entry] = {}
            self.next = 1
            self.end = 128
            self.n = 0
            self.records: dict[bytes, tuple[int, int]] = {}  # hash or root -> (anchoredAt, first index)

        def teardown(self) -> None:
            env.chain.revert_to(self.snapshot)

        @rule(gap=st.sampled_from([0, 0, 1, 126, 200]))
        def anchor_single(self, gap: int) -> None:
            index = allocate(self.next + gap, 1)[0]
            self.n += 1
            h = keccak(f"c{self.n}".encode())
            receipt = reg.anchor(issuer, h, env.schema_id, 0, 0, index)
            self.records[h] = (env.chain.timestamp(receipt.block_number), index)
            self.entries[index] = Entry(h)
            self.next = index + 1
            self.end = max(self.end, (index // 128 + 1) * 128)

        @rule(size=st.integers(1, 140))
        def anchor_batch(self, size: int) -> None:
            indexes = allocate(self.next, size)
            self.n += 1
            root = keccak(f"r{self.n}".encode())
            receipt = reg.anchor_batch(issuer, root, env.schema_id, 0, 0, indexes[0], indexes[-1] - indexes[0] + 1)
            self.records[root] = (env.chain.timestamp(receipt.block_number), indexes[0])
            for i in indexes:
                self.entries[i] = Entry(None)
            self.next = indexes[-1] + 1
            self.end = max(self.end, (indexes[-1] // 128 + 1) * 128)

        @rule(data=st.data(), action=st.sampled_from(list(StatusAction)))
        def update(self, data: st.DataObject, action: StatusAction) -> None:
            if not self.entries:
                return
            chosen = data.draw(st.lists(st.sampled_from(sorted(self.entries)), min_size=1, max_size=6))
            reg.update_status(issuer, issuer.address, action, chosen, REASON)
            for i in set(chosen):
                e = self.entries[i]
                if action == StatusAction.REVOKE:
                    e.revoked = True
                elif action == StatusAction.SUSPEND:
                    e.suspended = True
                elif not e.revoked:
                    e.suspended = False

        @rule(k=st.integers(0, 8))
        def reserved_index_is_rejected(self, k: int) -> None:
            with pytest.raises(ContractRevert) as e:
                reg.anchor(issuer, keccak(b"reserved"), env.schema_id, 0, 0, 128 * k)
            assert e.value.name == "CredentialInvalidStatusIndex"

        @rule(data=st.data(), action=st.sampled_from(list(StatusAction)))
        def change_one(self, data: st.DataObject, action: StatusAction) -> None:
            singles = [e for e in self.entries.values() if e.hash is not None]
            if not singles:
                return
            e = data.draw(st.sampled_from(singles))
            assert e.hash is not None
            call = {StatusAction.REVOKE: reg.revoke, StatusAction.SUSPEND: reg.suspend,
                    StatusAction.REINSTATE: reg.reinstate}[action]  # fmt: skip
            if action == StatusAction.REVOKE:
                changes = not e.revoked
            elif action == StatusAction.SUSPEND:
                changes = not e.suspended
            else:
                changes = e.suspended and not e.revoked  # a revocation is final
            if not changes:
                with pytest.raises(ContractRevert) as exc:
                    call(issuer, e.hash, REASON)
                assert exc.value.name == "CredentialStatusUnchanged"
                return
            call(issuer, e.hash, REASON)
            if action == StatusAction.REVOKE:
                e.revoked = True
            elif action == StatusAction.SUSPEND:
                e.suspended = True
            else:
                e.suspended = False

        @rule(data=st.data())
        def anchoring_is_write_once(self, data: st.DataObject) -> None:
            if not self.records:
                return
            anchored = data.draw(st.sampled_from(sorted(self.records)))
            fresh = allocate(self.next, 1)[0]
            with pytest.raises(ContractRevert) as exc:
                if any(e.hash == anchored for e in self.entries.values()):
                    reg.anchor(issuer, anchored, env.schema_id, 0, 0, fresh)
                else:
                    reg.anchor_batch(issuer, anchored, env.schema_id, 0, 0, fresh, 1)
            assert exc.value.name in ("CredentialAlreadyAnchored", "CredentialBatchAlreadyAnchored")

        @rule(data=st.data(), action=st.sampled_from(list(StatusAction)))
        def only_the_issuer_changes_a_status(self, data: st.DataObject, action: StatusAction) -> None:
            if not self.entries:
                return
            index = data.draw(st.sampled_from(sorted(self.entries)))
            with pytest.raises(ContractRevert) as exc:
                reg.update_status(env.stranger, issuer.address, action, [index], REASON)
            assert exc.value.name == "CredentialUnauthorisedCaller"

        @rule(data=st.data(), action=st.sampled_from(list(StatusAction)))
        def nobody_else_changes_a_credential_by_hash(self, data: st.DataObject, action: StatusAction) -> None:
            singles = [e.hash for e in self.entries.values() if e.hash is not None]
            if not singles:
                return
            h = data.draw(st.sampled_from(sorted(singles)))
            with pytest.raises(ContractRevert) as exc:
                reg.change_status(env.stranger, action, h, REASON, issuer=issuer.address)
            assert exc.value.name == "CredentialUnauthorisedCaller"

        @invariant()
        def anchors_never_change_and_is_valid_matches_the_model(self) -> None:
            singles_hashes = {e.hash for e in self.entries.values()}
            fns = reg.contract.functions
            who = issuer.address
            calls = [fns.getAnchor(who, k) if k in singles_hashes else fns.getBatch(who, k) for k in self.records]
            anchors = read_many(env.chain, calls)
            for (anchored_at, first_index), raw in zip(self.records.values(), anchors, strict=True):
                issuer_address, _schema, at, _from, _until, index, _count = raw
                assert (issuer_address, at, index) == (issuer.address, anchored_at, first_index)
            singles = [e for e in self.entries.values() if e.hash is not None]
            valid = reg.is_valid_batch([(issuer.address, e.hash) for e in singles if e.hash is not None])
            assert valid == [not (e.revoked or e.suspended) for e in singles]

        @invariant()
        def chain_matches_model(self) -> None:
            assert reg.get_issuer(issuer.address).status_watermark == self.end
            assert all(i % 128 != 0 for i in self.entries)
            words = reg.status_words(issuer.address, 0, self.end // 128 + 2)  # one call for the whole list
            assert words[-2:] == [0, 0]  # past the end: never written
            assert all(words[i // 128] & 1 for i in self.entries)  # every entry's word is prepared
            for i, e in self.entries.items():
                cell = words[i // 128] >> (2 * (i % 128))
                assert (bool(cell & 1), bool(cell & 2)) == (e.revoked, e.suspended), i
            singles = [(e, Query(issuer.address, e.hash)) for e in self.entries.values() if e.hash is not None]
            reports = reg.inspect([q for _, q in singles])
            for (e, _), r in zip(singles, reports, strict=True):
                expected = Validity.REVOKED if e.revoked else Validity.SUSPENDED if e.suspended else Validity.VALID
                assert r.validity == expected

    Machine.TestCase.settings = budget(8, 200, steps=(10, 50))
    Machine.TestCase().runTest()
