// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "../utils/Test.sol";
import {EIDRegistry} from "../../contracts/identity/EIDRegistry.sol";
import {CredentialRegistry} from "../../contracts/credentials/CredentialRegistry.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";

interface IAccessErrorsC {
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);
}

/// @notice The credentials suite (issuer, schema and credential registries in one contract) with
/// one admitted issuer controlled by a known key, holding `TYPE`, and its schema.
abstract contract CredentialsFixture is Test {
    EIDRegistry internal ids;
    CredentialRegistry internal reg;
    address internal constant ADMIN = address(0xAD);
    address internal constant STRANGER = address(0xBAD);
    uint256 internal constant ISSUER_KEY = 0x155;
    address internal issuer;
    address internal constant ISSUER2 = address(0x1552);
    bytes32 internal constant TYPE = keccak256("Diploma");
    bytes32 internal constant OTHER_TYPE = keccak256("Payslip");
    bytes32 internal schema;

    function setUp() public virtual {
        vm.warp(1_000_000);
        ids = new EIDRegistry();
        reg = new CredentialRegistry(ADMIN, IERC1056(address(ids)));
        issuer = vm.addr(ISSUER_KEY);
        vm.startPrank(ADMIN);
        reg.addIssuer(issuer, "issuer one", _one(TYPE));
        reg.addIssuer(ISSUER2, "issuer two", _one(TYPE));
        vm.stopPrank();
        vm.prank(issuer);
        schema = reg.registerSchema(issuer, "{}", TYPE, 1);
    }

    function _one(bytes32 t) internal pure returns (bytes32[] memory a) {
        a = new bytes32[](1);
        a[0] = t;
    }
}
