// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {CredentialsFixture, IAccessErrorsC} from "./CredentialsFixture.sol";
import {IIssuerRegistry} from "../../contracts/interfaces/IIssuerRegistry.sol";

contract IssuerRegistryTest is CredentialsFixture {
    function test_addIssuer__refuses_a_stranger_zero_and_a_repeat() public {
        bytes32 role = reg.GOVERNOR_ROLE();
        bytes32[] memory none = new bytes32[](0);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IAccessErrorsC.AccessControlUnauthorizedAccount.selector, STRANGER, role));
        reg.addIssuer(STRANGER, "x", none);
        vm.startPrank(ADMIN);
        vm.expectRevert(IIssuerRegistry.IssuerZeroAddress.selector);
        reg.addIssuer(address(0), "x", none);
        vm.expectRevert(
            abi.encodeWithSelector(IIssuerRegistry.IssuerAlreadyRegistered.selector, issuer, IIssuerRegistry.IssuerStatus.Active)
        );
        reg.addIssuer(issuer, "x", none);
        reg.addIssuer(STRANGER, "no types", none);
        vm.stopPrank();
        assertEq(reg.issuerCount(), 3, "count");
        assertEq(reg.issuerById(3), STRANGER, "by id");
        IIssuerRegistry.Issuer memory i = reg.getIssuer(STRANGER);
        assertEq(i.id, 3, "id");
        assertEq(i.nameHash, bytes32("no types"), "name");
        assertEq(i.statusWatermark, 128, "first word");
        assertTrue(!reg.isAuthorised(STRANGER, TYPE), "no type");
    }

    function test_setIssuerTypes__grants_and_withdraws_beyond_the_packed_96() public {
        bytes32[] memory many = new bytes32[](100);
        for (uint256 i = 0; i < 100; ++i) {
            many[i] = keccak256(abi.encode("type", i));
        }
        vm.startPrank(ADMIN);
        reg.setIssuerTypes(issuer, many, true);
        assertTrue(reg.isAuthorised(issuer, many[99]), "type 101 (mapping)");
        assertTrue(reg.isAuthorised(issuer, many[0]), "type 2 (packed)");
        reg.setIssuerTypes(issuer, many, false);
        vm.stopPrank();
        assertTrue(!reg.isAuthorised(issuer, many[99]), "withdrawn (mapping)");
        assertTrue(!reg.isAuthorised(issuer, many[0]), "withdrawn (packed)");
        assertTrue(reg.isAuthorised(issuer, TYPE), "TYPE kept");
        assertTrue(!reg.isAuthorised(issuer, keccak256("never seen")), "unknown type");
    }

    function test_setIssuerTypes__refuses_an_unknown_or_removed_issuer() public {
        vm.startPrank(ADMIN);
        vm.expectRevert(
            abi.encodeWithSelector(IIssuerRegistry.IssuerInvalidStatus.selector, STRANGER, IIssuerRegistry.IssuerStatus.None)
        );
        reg.setIssuerTypes(STRANGER, _one(TYPE), true);
        reg.removeIssuer(issuer, "r");
        vm.expectRevert(
            abi.encodeWithSelector(IIssuerRegistry.IssuerInvalidStatus.selector, issuer, IIssuerRegistry.IssuerStatus.Removed)
        );
        reg.setIssuerTypes(issuer, _one(TYPE), true);
        vm.stopPrank();
    }

    function test_suspend_reinstate_remove__follow_the_lifecycle() public {
        vm.startPrank(ADMIN);
        reg.suspendIssuer(issuer, "audit");
        assertTrue(!reg.isAuthorised(issuer, TYPE), "suspended");
        vm.expectRevert(
            abi.encodeWithSelector(IIssuerRegistry.IssuerInvalidStatus.selector, issuer, IIssuerRegistry.IssuerStatus.Suspended)
        );
        reg.suspendIssuer(issuer, "again");
        reg.reinstateIssuer(issuer, "ok");
        vm.expectRevert(
            abi.encodeWithSelector(IIssuerRegistry.IssuerInvalidStatus.selector, issuer, IIssuerRegistry.IssuerStatus.Active)
        );
        reg.reinstateIssuer(issuer, "again");
        reg.suspendIssuer(ISSUER2, "s");
        reg.removeIssuer(ISSUER2, "from suspended");
        reg.removeIssuer(issuer, "from active");
        vm.expectRevert(
            abi.encodeWithSelector(IIssuerRegistry.IssuerInvalidStatus.selector, issuer, IIssuerRegistry.IssuerStatus.Removed)
        );
        reg.removeIssuer(issuer, "again");
        vm.expectRevert(
            abi.encodeWithSelector(IIssuerRegistry.IssuerInvalidStatus.selector, STRANGER, IIssuerRegistry.IssuerStatus.None)
        );
        reg.removeIssuer(STRANGER, "unknown");
        vm.stopPrank();
        bytes32 role = reg.GOVERNOR_ROLE();
        vm.startPrank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IAccessErrorsC.AccessControlUnauthorizedAccount.selector, STRANGER, role));
        reg.suspendIssuer(issuer, "x");
        vm.expectRevert(abi.encodeWithSelector(IAccessErrorsC.AccessControlUnauthorizedAccount.selector, STRANGER, role));
        reg.reinstateIssuer(issuer, "x");
        vm.expectRevert(abi.encodeWithSelector(IAccessErrorsC.AccessControlUnauthorizedAccount.selector, STRANGER, role));
        reg.removeIssuer(issuer, "x");
        vm.expectRevert(abi.encodeWithSelector(IAccessErrorsC.AccessControlUnauthorizedAccount.selector, STRANGER, role));
        reg.setIssuerTypes(issuer, _one(TYPE), true);
        vm.stopPrank();
    }
}
