// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @notice Test-only: the two payout styles side by side, to measure their gas — pull credits
/// (what PaymentEscrow does: one SSTORE per payee, no per-payee event, a later withdraw) against direct
/// transfers (one token transfer per payee at settlement). It holds tokens sent to it.
contract EscrowPayoutBench {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    mapping(address account => uint256) public credits;

    constructor(address token_) {
        token = IERC20(token_);
    }

    function payByCredit(uint256, address[] calldata payees, uint256[] calldata amounts) external {
        for (uint256 i = 0; i < payees.length; ++i) {
            credits[payees[i]] += amounts[i];
        }
    }

    function payByTransfer(address[] calldata payees, uint256[] calldata amounts) external {
        for (uint256 i = 0; i < payees.length; ++i) {
            token.safeTransfer(payees[i], amounts[i]);
        }
    }

    function withdraw() external {
        uint256 amount = credits[msg.sender];
        credits[msg.sender] = 0;
        token.safeTransfer(msg.sender, amount);
    }
}
