"""The DID registry (EIDRegistry) against a Python model (hypothesis RuleBasedStateMachine on Anvil,
one snapshot per example).

Invariants: every identity has exactly one controller (itself until changed, then the last owner
set, the zero address once deactivated); only the controller — directly or by a valid EIP-712
signature over its current nonce — changes an identity, anything else reverts with the error
the model predicts and leaves ``changed(identity)`` alone; each owner's nonce strictly increases,
by one per accepted signature and never otherwise; deactivation is final.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.stateful.profiles import budget
from tests.stateful.reads import read_many
from thekey.chain import Chain
from thekey.chain.transactions import Receipt
from thekey.deploy import Deployment
from thekey.errors import ContractRevert
from thekey.identity.registry import ZERO_ADDRESS, EIDRegistry, name_bytes32

DELEGATE_TYPE = "sigAuth"
LONG = 10**7  # delegation validity far beyond any example's run: no clock boundary is crossed
ACTIONS = ["ChangeOwner", "AddDelegate", "RevokeDelegate", "SetAttribute", "RevokeAttribute", "Deactivate"]


def test_did_registry__matches_its_model(chain: Chain, deployment: Deployment, accounts: list[LocalAccount]) -> None:
    registry = EIDRegistry.from_deployment(deployment)
    keys = accounts[1:6]  # identities are accounts[1..3]; any of the five keys may come to own one
    identities = [a.address for a in keys[:3]]
    delegates = [a.address for a in accounts[6:8]]
    relayer = accounts[19]
    by_address = {k.address: k for k in keys}
    who = st.sampled_from([-1, -1, *range(len(keys))])  # -1: the controller's key (when it has one)
    which = st.integers(0, len(identities) - 1)

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = chain.snapshot()
            self.owner: dict[str, str | None] = {i: registry.identity_owner(i) for i in identities}
            self.changed = {i: registry.changed(i) for i in identities}
            self.nonces = {k.address: registry.nonce_of(k.address) for k in keys}
            self.seen_nonces = dict(self.nonces)
            self.delegated: dict[tuple[str, str], bool] = {}
            assert all(self.owner[i] == i for i in identities), "each identity starts as its own controller"

        def teardown(self) -> None:
            chain.revert_to(self.snapshot)

        # -- the model ------------------------------------------------------------------------
        def _expected_error(self, identity: str, actor: str) -> str | None:
            owner = self.owner[identity]
            if owner is None:
                return "EIDRegistryDeactivated"
            return None if actor == owner else "EIDRegistryUnauthorized"

        def _apply(self, action: str, identity: str, fields: dict[str, Any], receipt: Receipt) -> None:
            self.changed[identity] = receipt.block_number
            if action == "ChangeOwner":
                self.owner[identity] = fields["new_owner"]
            elif action == "Deactivate":
                self.owner[identity] = None
            elif action == "AddDelegate":
                self.delegated[(identity, fields["delegate"])] = fields["validity"] > 0
            elif action == "RevokeDelegate":
                self.delegated[(identity, fields["delegate"])] = False

        def _key(self, identity: str, choice: int) -> LocalAccount:
            """The controller's key for -1 (any key once deactivated), else ``keys[choice]``."""
            owner = self.owner[identity]
            return by_address[owner] if choice == -1 and owner is not None else keys[max(choice, 0)]

        def _fields(self, action: str, data: st.DataObject) -> dict[str, Any]:
            if action == "ChangeOwner":
                return {"new_owner": data.draw(st.sampled_from([k.address for k in keys]))}
            if action in ("AddDelegate", "RevokeDelegate"):
                fields: dict[str, Any] = {
                    "delegate_type": DELEGATE_TYPE,
                    "delegate": data.draw(st.sampled_from(delegates)),
                }
                if action == "AddDelegate":
                    fields["validity"] = data.draw(st.sampled_from([0, LONG]))
                return fields
            if action in ("SetAttribute", "RevokeAttribute"):
                fields = {"name": "did/svc/Hub", "value": data.draw(st.binary(min_size=0, max_size=40))}
                if action == "SetAttribute":
                    fields["validity"] = LONG
                return fields
            return {}

        # -- rules ----------------------------------------------------------------------------
        @rule(data=st.data(), i=which, actor=who, action=st.sampled_from(ACTIONS))
        def direct_change(self, data: st.DataObject, i: int, actor: int, action: str) -> None:
            identity, sender = identities[i], self._key(identities[i], actor)
            fields = self._fields(action, data)
            call = {
                "ChangeOwner": lambda: registry.change_owner(sender, identity, fields["new_owner"]),
                "AddDelegate": lambda: registry.add_delegate(
                    sender, identity, DELEGATE_TYPE, fields["delegate"], fields["validity"]
                ),
                "RevokeDelegate": lambda: registry.revoke_delegate(sender, identity, DELEGATE_TYPE, fields["delegate"]),
                "SetAttribute": lambda: registry.set_attribute(
                    sender, identity, fields["name"], fields["value"], fields["validity"]
                ),
                "RevokeAttribute": lambda: registry.revoke_attribute(sender, identity, fields["name"], fields["value"]),
                "Deactivate": lambda: registry.deactivate(sender, identity),
            }[action]
            error = self._expected_error(identity, sender.address)
            event(f"direct {action}: {error or 'accepted'}")
            if error is not None:
                with pytest.raises(ContractRevert) as exc:
                    call()
                assert exc.value.name == error
                return
            self._apply(action, identity, fields, call())

        @rule(
            data=st.data(),
            i=which,
            signer=who,
            action=st.sampled_from(ACTIONS),
            nonce_shift=st.sampled_from([0, 0, 0, 1, -1]),
            expired=st.sampled_from([False, False, False, True]),
        )
        def signed_change(
            self, data: st.DataObject, i: int, signer: int, action: str, nonce_shift: int, expired: bool
        ) -> None:
            identity, key = identities[i], self._key(identities[i], signer)
            fields = self._fields(action, data)
            nonce = max(0, self.nonces[key.address] + nonce_shift)
            now = chain.timestamp()
            deadline = now - 1 if expired else now + 600
            change = registry.sign(key, action, identity, deadline, nonce=nonce, **fields)
            owner = self.owner[identity]
            if expired:
                error: str | None = "EIDRegistryExpiredSignature"
            elif owner is None:
                error = "EIDRegistryDeactivated"
            elif key.address != owner or nonce != self.nonces[owner]:
                error = "EIDRegistryInvalidSignature"  # not the controller's key, or not its current nonce
            else:
                error = None
            event(f"signed {action}: {error or 'accepted'}")
            if error is not None:
                with pytest.raises(ContractRevert) as exc:
                    registry.relay(relayer, change)
                assert exc.value.name == error
                return
            assert owner is not None
            receipt = registry.relay(relayer, change)
            self.nonces[owner] += 1
            self._apply(action, identity, fields, receipt)
            with pytest.raises(ContractRevert) as exc:  # the same signature never works twice
                registry.relay(relayer, change)
            assert exc.value.name in ("EIDRegistryInvalidSignature", "EIDRegistryDeactivated")

        # -- invariants (read in one JSON-RPC batch per step) -----------------------------------
        @invariant()
        def chain_matches_the_model(self) -> None:
            fns = registry.contract.functions
            pairs = [(i, d) for i in identities for d in delegates]
            reads = read_many(
                chain,
                [
                    *(fns.identityOwner(i) for i in identities),
                    *(fns.isDeactivated(i) for i in identities),
                    *(fns.changed(i) for i in identities),
                    *(fns.nonces(k) for k in self.nonces),
                    *(fns.validDelegate(i, name_bytes32(DELEGATE_TYPE), d) for i, d in pairs),
                ],
            )
            n = len(identities)
            owners, deactivated, changed = reads[:n], reads[n : 2 * n], reads[2 * n : 3 * n]
            nonces, delegated = reads[3 * n : 3 * n + len(self.nonces)], reads[3 * n + len(self.nonces) :]
            for identity, owner, dead, block in zip(identities, owners, deactivated, changed, strict=True):
                modelled = self.owner[identity]
                # one controller: the modelled owner (always one of the known keys), zero once deactivated
                assert owner == (modelled or ZERO_ADDRESS)
                assert modelled is None or modelled in by_address
                # deactivation is final: the model never brings an identity back, the chain agrees
                assert dead == (modelled is None)
                # only accepted changes (the controller's, directly or signed) move the change block
                assert block == self.changed[identity]
            # nonces strictly increase: by one per accepted signature, never otherwise
            for (address, expected), on_chain in zip(self.nonces.items(), nonces, strict=True):
                assert on_chain == expected >= self.seen_nonces[address]
                self.seen_nonces[address] = on_chain
            for (identity, delegate), valid in zip(pairs, delegated, strict=True):
                live = self.owner[identity] is not None and self.delegated.get((identity, delegate), False)
                assert valid == live

    Machine.TestCase.settings = budget(4, 200, steps=(15, 50))
    Machine.TestCase().runTest()
