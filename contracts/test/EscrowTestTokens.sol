// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @notice Test-only: an ERC-20 with permit that burns 1% of every transfer (delivers less).
contract EscrowFeeToken is ERC20, ERC20Permit {
    constructor(address holder, uint256 supply) ERC20("Fee", "FEE") ERC20Permit("Fee") {
        _mint(holder, supply);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @notice Test-only: the receiver side of {EscrowHookToken}.
interface IEscrowTokenReceiver {
    function onTokenReceived(address from, uint256 amount) external;
}

/// @notice Test-only: an ERC-20 with permit that calls `onTokenReceived` on contract recipients
/// after every transfer (like ERC-777 / ERC-1363 hooks), so a payee can revert or re-enter.
/// TKY has no such hook; this token shows what the escrow would do if its token had one.
contract EscrowHookToken is ERC20, ERC20Permit {
    constructor(address holder, uint256 supply) ERC20("Hook", "HOOK") ERC20Permit("Hook") {
        _mint(holder, supply);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == address(0) || to.code.length == 0) return;
        // A recipient without the hook (empty revert data) is tolerated; a recipient's own revert bubbles up.
        (bool ok, bytes memory ret) = to.call(abi.encodeCall(IEscrowTokenReceiver.onTokenReceived, (from, value)));
        if (!ok && ret.length > 0) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
