// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {InvariantTest, IBreaches} from "../utils/Test.sol";
import {EscrowHandler} from "./handlers/EscrowHandler.sol";

/// @notice Escrow + token: conservation to the wei, credits as modelled, nothing stuck, and a payee
/// (the attacker) never acts as a party nor through tampered terms.
contract EscrowInvariants is InvariantTest {
    EscrowHandler internal h;

    function setUp() public {
        h = new EscrowHandler();
        targetContract(address(h));
        bytes4[] memory actions = new bytes4[](13);
        actions[0] = h.create.selector;
        actions[1] = h.accept.selector;
        actions[2] = h.decline.selector;
        actions[3] = h.complete.selector;
        actions[4] = h.confirm.selector;
        actions[5] = h.dispute.selector;
        actions[6] = h.resolve.selector;
        actions[7] = h.settle.selector;
        actions[8] = h.reclaim.selector;
        actions[9] = h.withdraw.selector;
        actions[10] = h.warp.selector;
        actions[11] = h.attack.selector;
        actions[12] = h.tamper.selector;
        targetSelectors(address(h), actions);
    }

    /// One campaign checks every property after every call (forge runs one campaign per
    /// `invariant_` function, so properties share it to give each the whole call budget).
    function invariant_escrow() public view {
        _checkConservationAndCredits();
        assertNoBreach(IBreaches(address(h)), h.ATTACKER_ACTED());
        assertNoBreach(IBreaches(address(h)), h.TAMPERED_TERMS());
        assertNoBreach(IBreaches(address(h)), h.REFUSED());
        assertNoBreach(IBreaches(address(h)), h.OFF_MODEL());
    }

    /// No funds stuck for ever: from the state each run reaches, every open agreement is ended by
    /// the rules (reclaim, or settle by anyone, far in the future) and every credit withdrawn,
    /// leaving the escrow empty (checked once per run: it drives every agreement to its end).
    function afterInvariant() public {
        uint256 snapshot = vm.snapshotState();
        _checkStatuses();
        h.endEverything();
        assertEq(h.token().balanceOf(address(h.escrow())), 0, "no stuck funds: the escrow keeps tokens after every exit");
        vm.revertToState(snapshot);
    }

    /// Conservation to the wei: the escrow holds exactly the open agreements' prices plus the
    /// credits it records, which is what came in minus what went out; and every account's credit
    /// is the modelled one (plan floors, dust to the verifier, refunds, splits).
    function _checkConservationAndCredits() internal view {
        uint256 credits = 0;
        for (uint256 i = 0; i < h.accountCount(); ++i) {
            address a = h.accounts(i);
            uint256 credit = h.escrow().creditOf(a);
            credits += credit;
            assertEq(credit, h.ghostCredit(a), "credits: a credit differs from the model");
        }
        uint256 balance = h.token().balanceOf(address(h.escrow()));
        assertEq(balance, h.ghostLocked() + credits, "conservation: escrow balance != open prices + credits");
        assertEq(balance, h.paidIn() - h.paidOut(), "conservation: escrow balance != paid in - paid out");
    }

    /// Every agreement's stored status is the modelled one (checked at the end of each run; the
    /// handler also checks the agreement it just acted on).
    function _checkStatuses() internal view {
        for (uint256 i = 0; i < h.agreementCount(); ++i) {
            uint256 id = h.ids(i);
            assertEq(uint256(h.escrow().agreement(id, h.termsOf(id)).status), uint256(h.ghostStatus(id)), "status: differs from the model");
        }
    }
}
