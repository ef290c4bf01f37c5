// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {InvariantTest, IBreaches} from "../utils/Test.sol";
import {IdentityHandler} from "./handlers/IdentityHandler.sol";

/// @notice Identity: one controller per DID (the modelled one); deactivation final; bindings
/// one-to-one per person and per document; no binding moved or removed without its owner's,
/// its registrar's or governance's word.
contract IdentityInvariants is InvariantTest {
    IdentityHandler internal h;

    function setUp() public {
        h = new IdentityHandler();
        targetContract(address(h));
        bytes4[] memory actions = new bytes4[](7);
        actions[0] = h.changeOwner.selector;
        actions[1] = h.deactivate.selector;
        actions[2] = h.resurrect.selector;
        actions[3] = h.bind.selector;
        actions[4] = h.unbind.selector;
        actions[5] = h.rebind.selector;
        actions[6] = h.warp.selector;
        targetSelectors(address(h), actions);
    }

    function invariant_identity() public view {
        IBreaches b = IBreaches(address(h));
        assertNoBreach(b, h.FOREIGN_ACT());
        assertNoBreach(b, h.REFUSED());
        assertNoBreach(b, h.OFF_MODEL());
        for (uint256 i = 0; i < h.DIDS(); ++i) {
            address did = h.dids(i);
            assertEq(h.eid().identityOwner(did), h.ghostOwner(did), "controller: identityOwner differs from the model");
            assertTrue(h.eid().isDeactivated(did) == (h.ownerKey(did) == 0), "deactivation: differs from the model");
            bytes32 p = h.binding().personOf(did);
            assertEq(p, h.ghostPersonOf(did), "binding: personOf differs from the model");
            assertTrue(h.binding().isBound(did) == (p != bytes32(0)), "binding: isBound without a person");
            if (p != bytes32(0)) assertEq(h.binding().identityOfPerson(p), did, "binding: person and DID not one-to-one");
            assertEq(h.binding().commitmentsOf(did).length, h.ghostDocuments(did), "binding: documents differ from the model");
        }
        for (uint256 i = 0; i < h.PERSONS(); ++i) {
            bytes32 p = h.person(i);
            address did = h.binding().identityOfPerson(p);
            assertEq(did, h.ghostIdentityOfPerson(p), "binding: identityOfPerson differs from the model");
            if (did != address(0)) assertEq(h.binding().personOf(did), p, "binding: DID and person not one-to-one");
        }
        for (uint256 i = 0; i < h.COMMITMENTS(); ++i) {
            bytes32 c = h.commitment(i);
            assertEq(h.binding().identityOf(c), h.ghostIdentityOf(c), "binding: a document moved off the model");
            assertEq(h.binding().registrarOf(c), h.ghostRegistrarOf(c), "binding: registrar differs from the model");
        }
    }
}
