// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Test-only: a contract account for escrow tests. It is an ERC-1271 wallet of `owner`,
/// forwards calls its owner asks for, and reacts to token-receipt hooks: accept, revert, or
/// re-enter a target with prepared calldata (recording whether the re-entry succeeded).
contract EscrowActor is IERC1271 {
    enum Mode {
        Accept,
        Revert,
        Reenter
    }

    error EscrowActorRefused(address from, uint256 amount);
    error EscrowActorNotOwner(address caller);

    address public immutable owner;
    Mode public mode;
    address public reentryTarget;
    bytes public reentryData;
    uint256 public reentryAttempts;
    uint256 public reentrySuccesses;

    constructor(address owner_) {
        owner = owner_;
    }

    function configure(Mode mode_, address target, bytes calldata data) external {
        mode = mode_;
        reentryTarget = target;
        reentryData = data;
    }

    /// @notice Calls `target` with `data` (only the owner); bubbles a revert up.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != owner) revert EscrowActorNotOwner(msg.sender);
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function onTokenReceived(address from, uint256 amount) external {
        if (mode == Mode.Revert) revert EscrowActorRefused(from, amount);
        if (mode == Mode.Reenter) {
            reentryAttempts += 1;
            (bool ok, ) = reentryTarget.call(reentryData);
            if (ok) reentrySuccesses += 1;
        }
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}
