// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {InvariantTest, IBreaches} from "../utils/Test.sol";
import {SignaturesHandler} from "./handlers/SignaturesHandler.sol";

/// @notice Signatures: no replay on the same function, on another function, on a twin contract
/// or on another chain; each contract's nonce of the signer counts exactly its accepted signatures.
contract SignaturesInvariants is InvariantTest {
    SignaturesHandler internal h;

    function setUp() public {
        h = new SignaturesHandler();
        targetContract(address(h));
        bytes4[] memory actions = new bytes4[](6);
        actions[0] = h.eidRound.selector;
        actions[1] = h.consentRound.selector;
        actions[2] = h.credentialRound.selector;
        actions[3] = h.permitRound.selector;
        actions[4] = h.fork.selector;
        actions[5] = h.warp.selector;
        targetSelectors(address(h), actions);
    }

    function invariant_signatures() public view {
        IBreaches b = IBreaches(address(h));
        assertNoBreach(b, h.REPLAYED());
        assertNoBreach(b, h.CROSS_CONTRACT());
        assertNoBreach(b, h.CROSS_FUNCTION());
        assertNoBreach(b, h.CROSS_CHAIN());
        assertNoBreach(b, h.REFUSED());
        address signer = h.signer();
        for (uint256 i = 0; i < 2; ++i) {
            assertEq(h.eids(i).nonces(signer), h.accepted(address(h.eids(i))), "nonces: eID nonce != accepted signatures");
            assertEq(
                h.credentialRegistries(i).nonces(signer, 0),
                h.accepted(address(h.credentialRegistries(i))),
                "nonces: credential nonce != accepted signatures"
            );
            assertEq(h.tokens(i).nonces(signer), h.accepted(address(h.tokens(i))), "nonces: permit nonce != accepted signatures");
        }
    }
}
