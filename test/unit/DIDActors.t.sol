// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "../utils/Test.sol";
import {ConsentRegistry} from "../../contracts/consent/ConsentRegistry.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";

/// @notice An identity registry whose `identityOwner` misbehaves in the way `mode` names.
contract BadIdentities {
    uint256 public mode; // 0 reverts with data, 1 returns short data, 2 returns a dirty address

    error Boom();

    function setMode(uint256 m) external {
        mode = m;
    }

    fallback() external {
        uint256 m = mode;
        if (m == 0) revert Boom();
        if (m == 1) {
            assembly {
                mstore(0, 1)
                return(0, 0x10)
            }
        }
        assembly {
            mstore(0, not(0))
            return(0, 0x20)
        }
    }
}

/// @notice DIDActors' `_ownerOf` refuses a registry that reverts, returns short data or a value
/// that is not an address (exercised through ConsentRegistry.actsFor).
contract DIDActorsTest is Test {
    BadIdentities internal bad;
    ConsentRegistry internal reg;

    function setUp() public {
        bad = new BadIdentities();
        reg = new ConsentRegistry(IERC1056(address(bad)));
    }

    function test_ownerOf__bubbles_up_a_registry_revert() public {
        vm.expectRevert(BadIdentities.Boom.selector);
        reg.actsFor(address(1), address(1));
    }

    function test_ownerOf__refuses_short_return_data() public {
        bad.setMode(1);
        vm.expectRevert(bytes(""));
        reg.actsFor(address(1), address(1));
    }

    function test_ownerOf__refuses_a_dirty_address() public {
        bad.setMode(2);
        vm.expectRevert(bytes(""));
        reg.actsFor(address(1), address(1));
    }

    function test_delegateType__is_sigAuth() public view {
        assertEq(reg.DELEGATE_TYPE(), bytes32("sigAuth"), "delegate type");
    }
}
