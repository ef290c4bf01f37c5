// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IConsentRegistry} from "../interfaces/IConsentRegistry.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";

/// @notice Test-only (benchmarks/events): emits many suite events in one call, with the exact
/// signatures of the suite's interfaces, so an event index can be filled with 100,000 real logs
/// cheaply. Each round emits five: a consent granted, used and revoked, a token transfer and a
/// credential anchored. Never deployed by scripts.
contract EventBurst {
    bytes32 private constant SCOPE = keccak256("bench.scope");
    bytes32 private constant PURPOSE = keccak256("bench.purpose");
    bytes32 private constant SCHEMA = keccak256("bench.schema");

    function burst(uint256 rounds, uint256 salt) external {
        for (uint256 i = 0; i < rounds; ++i) {
            bytes32 id = keccak256(abi.encode(salt, i));
            address subject = address(uint160(uint256(id)));
            emit IConsentRegistry.ConsentGranted(
                id, subject, msg.sender, SCOPE, PURPOSE, uint64(block.timestamp), 0, 0, subject
            );
            emit IConsentRegistry.ConsentUsed(id, subject, msg.sender, id, 1);
            emit IConsentRegistry.ConsentRevoked(id, subject, subject);
            emit IERC20.Transfer(subject, msg.sender, i);
            emit ICredentialRegistry.CredentialAnchored(id, msg.sender, SCHEMA, uint64(i));
        }
    }
}
