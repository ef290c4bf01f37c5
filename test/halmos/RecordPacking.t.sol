// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {CredentialRegistry} from "../../contracts/credentials/CredentialRegistry.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";

/// @notice halmos proof that the anchor record's hand-packed single SSTORE (`_store`) and the
/// hand-written reads of `_changeOne` agree with the compiler's layout of `Record`, for every
/// value that passes the anchoring checks (ids < 2^32, times and indexes < 2^40).
contract RecordPackingProof is CredentialRegistry {
    Record internal _slot;

    constructor() CredentialRegistry(address(0xA11CE), IERC1056(address(0x1056))) {}

    function check_recordPackingRoundTrips(
        uint32 issuerId,
        uint32 schemaIndex,
        uint64 validFrom,
        uint64 validUntil,
        uint64 statusIndex,
        uint32 count,
        uint40 time
    ) public {
        require(validFrom <= type(uint40).max && validUntil <= type(uint40).max && statusIndex <= type(uint40).max);
        require(time != 0);
        vmWarp(time);
        _store(_slot, issuerId, schemaIndex, validFrom, validUntil, statusIndex, count);
        Record memory r = _slot;
        assert(r.issuerId == issuerId);
        assert(r.schemaIndex == schemaIndex);
        assert(r.anchoredAt == time);
        assert(r.validFrom == validFrom);
        assert(r.validUntil == validUntil);
        assert(r.statusIndex == statusIndex);
        assert(r.count == count);
        // the raw reads `_changeOne` makes of the same slot
        uint256 packed;
        Record storage slot = _slot;
        assembly {
            packed := sload(slot.slot)
        }
        assert(uint40(packed >> 64) == time);
        assert(uint40(packed >> 184) == statusIndex);
    }

    function vmWarp(uint256 t) internal {
        (bool ok,) = address(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D).call(abi.encodeWithSignature("warp(uint256)", t));
        require(ok);
    }
}
