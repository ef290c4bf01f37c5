// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {CredentialRegistry} from "../../contracts/credentials/CredentialRegistry.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";

/// @notice halmos proofs (`make prove`) of CredentialRegistry's bit arithmetic, on the contract's
/// own internal functions (this harness inherits them; forge does not run `check_` functions).
contract StatusCellsProof is CredentialRegistry {
    constructor() CredentialRegistry(address(0xA11CE), IERC1056(address(0x1056))) {}

    /// Status cells: `_apply(word, entries, action)` on any 256-bit word, any set of entries
    /// (any 128-bit mask) and any action changes exactly the named cells as the action says, and
    /// never a bit of another cell. Cell e is bits 2e (revoked) and 2e + 1 (suspended).
    function check_applyTouchesOnlyTheNamedCells(uint256 word, uint128 entries, uint8 actionSeed, uint8 e) public pure {
        vm_assume(actionSeed < 3);
        StatusAction action = StatusAction(actionSeed);
        uint256 result = _apply(word, entries, action);
        uint256 cell = e % 128;
        uint256 before = (word >> (2 * cell)) & 3;
        uint256 afterwards = (result >> (2 * cell)) & 3;
        bool named = (entries >> cell) & 1 == 1;
        if (!named) {
            assert(afterwards == before);
        } else if (action == StatusAction.Revoke) {
            assert(afterwards == (before | 1));
        } else if (action == StatusAction.Suspend) {
            assert(afterwards == (before | 2));
        } else {
            // reinstate clears the suspension unless the cell is revoked (a revocation is final)
            assert(afterwards == ((before & 1) == 1 ? before : 0));
        }
    }

    /// The spread of 128 entry flags puts flag e at bit 2e and nothing at odd bits.
    function check_spreadMapsFlagEToBit2e(uint256 x, uint8 e) public pure {
        uint256 spread = _spread(x);
        uint256 cell = e % 128;
        assert(((spread >> (2 * cell)) & 1) == ((x >> cell) & 1));
        assert(spread & (type(uint256).max / 3 * 2) == 0); // 0xAAAA…: every odd bit clear
    }

    function vm_assume(bool condition) internal pure {
        // halmos: a failed `require` prunes the path (an assumption), unlike a failed `assert`
        require(condition);
    }
}
