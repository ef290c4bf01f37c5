// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ITheKeyToken — the TKY token
/// @notice TKY is the only means of settling agreements in TheKey. It is an ERC-20 with
/// EIP-2612 `permit`, a supply cap fixed at deployment, holder burns, and two minting paths:
/// `mint` (treasury issuance, MINTER_ROLE) and `reward` (earned by users, providers and
/// verifiers for valuable behaviour, REWARDER_ROLE). Both mint within the cap.
/// The ERC-20 (IERC20, IERC20Metadata) and EIP-2612 (IERC20Permit) surfaces are OpenZeppelin's;
/// this interface lists what TKY adds to them.
interface ITheKeyToken {
    /// @notice Minting would take the total supply past the cap (OpenZeppelin's ERC20Capped error).
    error ERC20ExceededCap(uint256 increasedSupply, uint256 cap);

    /// @notice The cap given at deployment is zero (OpenZeppelin's ERC20Capped error).
    error ERC20InvalidCap(uint256 cap);

    /// @notice Emitted when `account` is rewarded `amount` TKY for the behaviour `reasonCode`.
    /// @param reasonCode an application-defined code, e.g. keccak256("verification.completed").
    event Rewarded(address indexed account, uint256 amount, bytes32 indexed reasonCode);

    /// @notice Mints `amount` to `to`. Reverts with `ERC20ExceededCap` past the cap.
    /// @dev Only MINTER_ROLE.
    function mint(address to, uint256 amount) external;

    /// @notice Mints `amount` to `account` as a reward and emits `Rewarded`.
    /// @dev Only REWARDER_ROLE. Reverts with `ERC20ExceededCap` past the cap.
    function reward(address account, uint256 amount, bytes32 reasonCode) external;

    /// @notice The maximum total supply, fixed at deployment.
    function cap() external view returns (uint256);

    /// @notice The role allowed to call `mint`.
    function MINTER_ROLE() external view returns (bytes32);

    /// @notice The role allowed to call `reward`.
    function REWARDER_ROLE() external view returns (bytes32);

    /// @notice The contract's semantic version.
    function version() external view returns (string memory);
}
