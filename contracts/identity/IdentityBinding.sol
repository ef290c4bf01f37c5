// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC1056} from "../interfaces/IERC1056.sol";
import {IIdentityBinding} from "../interfaces/IIdentityBinding.sol";

/// @title IdentityBinding — commitments of real-world documents bound one-to-one to DIDs
/// @notice Kept apart from the eID registry so that the ERC-1056 registry stays role-free, small
/// and as cheap as the reference; this contract reads the registry only to refuse deactivated DIDs.
///
/// Invariants:
/// - A commitment is bound to at most one identity; `identityOf(c) == i` iff `c` is in `commitmentsOf(i)`.
/// - `isBound(i)` iff `commitmentsOf(i)` is non-empty.
/// - Only holders of REGISTRAR_ROLE bind, unbind and rebind; only DEFAULT_ADMIN_ROLE (governance)
///   admits and removes registrars. A removed registrar can change nothing.
/// - A (re)binding targets an identity that is active in the registry (`identityOwner != 0`).
/// - Nothing but 32-byte commitments and addresses is stored or logged (no personal data).
contract IdentityBinding is IIdentityBinding, AccessControl {
    /// @inheritdoc IIdentityBinding
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @dev slot 0: identity + boundAt; slot 1: registrar + position (1-based index in `_commitments`).
    struct Entry {
        address identity;
        uint64 boundAt;
        address registrar;
        uint96 position;
    }

    IERC1056 private immutable _registry;
    mapping(bytes32 commitment => Entry) private _entries;
    // slither-disable-next-line uninitialized-state — written through `bytes32[] storage` pointers in _bind/_unbind
    mapping(address identity => bytes32[]) private _commitments;

    /// @param registry_ the eID registry (ERC-1056) whose identities are bound.
    /// @param admin governance: receives DEFAULT_ADMIN_ROLE and admits registrars.
    constructor(IERC1056 registry_, address admin) {
        _registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IIdentityBinding
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    /// @inheritdoc IIdentityBinding
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IIdentityBinding
    function bind(bytes32 commitment, address identity) external onlyRole(REGISTRAR_ROLE) {
        if (commitment == bytes32(0)) revert IdentityBindingZeroCommitment();
        address current = _entries[commitment].identity;
        if (current != address(0)) revert IdentityBindingCommitmentTaken(commitment, current);
        _checkActive(identity);
        _add(commitment, identity);
        emit IdentityBound(commitment, identity, msg.sender);
    }

    /// @inheritdoc IIdentityBinding
    function unbind(bytes32 commitment, uint16 reason) external onlyRole(REGISTRAR_ROLE) {
        _checkReason(reason);
        address identity = _checkBound(commitment);
        _remove(commitment, identity);
        emit IdentityUnbound(commitment, identity, msg.sender, reason);
    }

    /// @inheritdoc IIdentityBinding
    function rebind(bytes32 commitment, address identity, uint16 reason) external onlyRole(REGISTRAR_ROLE) {
        _checkReason(reason);
        address previous = _checkBound(commitment);
        if (previous == identity) revert IdentityBindingSameIdentity(commitment, identity);
        _checkActive(identity);
        _remove(commitment, previous);
        _add(commitment, identity);
        emit IdentityRebound(commitment, previous, identity, msg.sender, reason);
    }

    /// @inheritdoc IIdentityBinding
    function bindingOf(bytes32 commitment) external view returns (Binding memory) {
        Entry storage e = _entries[commitment];
        return Binding(e.identity, e.boundAt, e.registrar);
    }

    /// @inheritdoc IIdentityBinding
    function identityOf(bytes32 commitment) external view returns (address) {
        return _entries[commitment].identity;
    }

    /// @inheritdoc IIdentityBinding
    function registrarOf(bytes32 commitment) external view returns (address) {
        return _entries[commitment].registrar;
    }

    /// @inheritdoc IIdentityBinding
    function commitmentsOf(address identity) external view returns (bytes32[] memory) {
        return _commitments[identity];
    }

    /// @inheritdoc IIdentityBinding
    function isBound(address identity) external view returns (bool) {
        return _commitments[identity].length != 0;
    }

    function _add(bytes32 commitment, address identity) private {
        bytes32[] storage list = _commitments[identity];
        list.push(commitment);
        // A list length never approaches 2**64; times fit in 64 bits.
        _entries[commitment] = Entry(identity, uint64(_time()), msg.sender, uint96(list.length));
    }

    /// @dev Swap-and-pop removal from the identity's list, then clear the entry.
    function _remove(bytes32 commitment, address identity) private {
        bytes32[] storage list = _commitments[identity];
        uint256 position = _entries[commitment].position;
        uint256 last = list.length;
        if (position != last) {
            bytes32 moved = list[last - 1];
            list[position - 1] = moved;
            _entries[moved].position = uint96(position);
        }
        list.pop();
        delete _entries[commitment];
    }

    function _checkBound(bytes32 commitment) private view returns (address identity) {
        identity = _entries[commitment].identity;
        if (identity == address(0)) revert IdentityBindingNotBound(commitment);
    }

    function _checkActive(address identity) private view {
        if (identity == address(0) || _registry.identityOwner(identity) == address(0)) {
            revert IdentityBindingInactiveIdentity(identity);
        }
    }

    function _checkReason(uint16 reason) private pure {
        if (reason == 0) revert IdentityBindingMissingReason();
    }

    /// @dev The time hook (overridable in test harnesses).
    function _time() internal view virtual returns (uint256) {
        return block.timestamp;
    }
}
