// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "../utils/Test.sol";
import {Sig} from "../utils/Sig.sol";
import {TheKeyToken} from "../../contracts/token/TheKeyToken.sol";
import {ITheKeyToken} from "../../contracts/interfaces/ITheKeyToken.sol";
import {ISignerNonces} from "../../contracts/interfaces/ISignerNonces.sol";

interface IAccessErrors {
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);
}

/// @notice Reaches the `_useCheckedNonce` override the compiler demands (no token function calls it).
contract TheKeyTokenHarness is TheKeyToken {
    constructor() TheKeyToken(address(0xAD), 1, address(0), 0) {}

    function useCheckedNonce(address owner, uint256 keyNonce) external {
        _useCheckedNonce(owner, keyNonce);
    }
}

contract TheKeyTokenTest is Test {
    TheKeyToken internal tky;
    address internal constant ADMIN = address(0xAD);
    address internal constant HOLDER = address(0x4011);
    address internal constant STRANGER = address(0xBAD);
    uint256 internal constant CAP = 1_000 ether;

    function setUp() public {
        tky = new TheKeyToken(ADMIN, CAP, HOLDER, 100 ether);
        vm.startPrank(ADMIN);
        tky.grantRole(tky.MINTER_ROLE(), address(this));
        tky.grantRole(tky.REWARDER_ROLE(), address(this));
        vm.stopPrank();
    }

    function test_constructor__refuses_a_zero_cap() public {
        vm.expectRevert(abi.encodeWithSelector(ITheKeyToken.ERC20InvalidCap.selector, 0));
        new TheKeyToken(ADMIN, 0, HOLDER, 0);
    }

    function test_constructor__mints_nothing_without_initial_supply() public {
        TheKeyToken t = new TheKeyToken(ADMIN, CAP, HOLDER, 0);
        assertEq(t.totalSupply(), 0, "supply");
    }

    function test_constructor__refuses_an_initial_supply_over_the_cap() public {
        vm.expectRevert(abi.encodeWithSelector(ITheKeyToken.ERC20ExceededCap.selector, CAP + 1, CAP));
        new TheKeyToken(ADMIN, CAP, HOLDER, CAP + 1);
    }

    function test_views__version_cap_nonces() public view {
        assertTrue(keccak256(bytes(tky.version())) == keccak256("1.0.0"), "version");
        assertEq(tky.cap(), CAP, "cap");
        assertEq(tky.nonces(HOLDER), 0, "nonce");
        assertEq(tky.nonces(HOLDER, 1), uint256(1) << 64, "keyed nonce");
        assertEq(tky.balanceOf(HOLDER), 100 ether, "initial supply");
    }

    function test_mint__mints_up_to_the_cap_and_no_further() public {
        tky.mint(STRANGER, CAP - 100 ether);
        assertEq(tky.totalSupply(), CAP, "at cap");
        vm.expectRevert(abi.encodeWithSelector(ITheKeyToken.ERC20ExceededCap.selector, CAP + 1, CAP));
        tky.mint(STRANGER, 1);
    }

    function test_mint__refuses_a_stranger() public {
        bytes32 role = tky.MINTER_ROLE();
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IAccessErrors.AccessControlUnauthorizedAccount.selector, STRANGER, role));
        tky.mint(STRANGER, 1);
    }

    function test_reward__mints_and_refuses_a_stranger() public {
        tky.reward(HOLDER, 5, "quiz");
        assertEq(tky.balanceOf(HOLDER), 100 ether + 5, "rewarded");
        bytes32 role = tky.REWARDER_ROLE();
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IAccessErrors.AccessControlUnauthorizedAccount.selector, STRANGER, role));
        tky.reward(STRANGER, 1, "x");
    }

    function test_permit__accepts_a_real_signature() public {
        uint256 key = 0xB0B;
        address owner = vm.addr(key);
        bytes32 typehash =
            keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
        uint256 deadline = block.timestamp + 1;
        bytes32 digest = Sig.digest(address(tky), keccak256(abi.encode(typehash, owner, STRANGER, 7, 0, deadline)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        tky.permit(owner, STRANGER, 7, deadline, v, r, s);
        assertEq(tky.allowance(owner, STRANGER), 7, "allowance");
        assertEq(tky.nonces(owner), 1, "nonce");
        assertEq(tky.DOMAIN_SEPARATOR(), Sig.domainSeparator(address(tky)), "domain");
    }

    function test_invalidateNonces__refuses_a_zero_count() public {
        vm.expectRevert(abi.encodeWithSelector(ISignerNonces.NoncesInvalidCount.selector, 0));
        tky.invalidateNonces(1, 0);
        assertEq(tky.invalidateNonces(1, 2), (uint256(1) << 64) | 2, "next");
    }

    function test_burn__burns_the_callers_tokens() public {
        vm.prank(HOLDER);
        tky.burn(1 ether);
        assertEq(tky.totalSupply(), 99 ether, "burnt");
    }

    function test_useCheckedNonce__takes_the_keyed_lane_and_refuses_a_replay() public {
        TheKeyTokenHarness h = new TheKeyTokenHarness();
        uint256 keyNonce = uint256(5) << 64;
        h.useCheckedNonce(HOLDER, keyNonce);
        assertEq(h.nonces(HOLDER, 5), keyNonce | 1, "lane advanced");
        vm.expectRevert(abi.encodeWithSignature("InvalidAccountNonce(address,uint256)", HOLDER, keyNonce | 1));
        h.useCheckedNonce(HOLDER, keyNonce);
    }
}
