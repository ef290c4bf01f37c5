// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {CredentialsFixture} from "./CredentialsFixture.sol";
import {IIssuerRegistry} from "../../contracts/interfaces/IIssuerRegistry.sol";
import {ISchemaRegistry} from "../../contracts/interfaces/ISchemaRegistry.sol";

contract SchemaRegistryTest is CredentialsFixture {
    function test_registerSchema__by_an_issuer_and_by_governance() public {
        ISchemaRegistry.Schema memory s = reg.getSchema(schema);
        assertEq(s.publisher, issuer, "publisher");
        assertEq(s.index, 1, "index");
        assertEq(s.credentialType, TYPE, "type");
        assertEq(reg.schemaIdAt(1), schema, "at 1");
        assertEq(reg.schemaIdAt(0), bytes32(0), "at 0");
        assertEq(reg.schemaIdAt(2), bytes32(0), "past the end");
        assertEq(reg.schemaIdOf(issuer, TYPE, keccak256("{}")), schema, "id");
        vm.prank(ADMIN);
        bytes32 gov = reg.registerSchema(ADMIN, "{\"gov\":1}", OTHER_TYPE, 3);
        assertEq(reg.getSchema(gov).version, 3, "gov schema");
        assertEq(reg.getSchema(keccak256("none")).credentialType, bytes32(0), "unknown schema");
    }

    function test_registerSchema__refuses_every_bad_registration() public {
        vm.startPrank(issuer);
        vm.expectRevert(ISchemaRegistry.SchemaInvalid.selector);
        reg.registerSchema(issuer, "", TYPE, 1);
        vm.expectRevert(ISchemaRegistry.SchemaInvalid.selector);
        reg.registerSchema(issuer, "{}", bytes32(0), 1);
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaAlreadyRegistered.selector, schema, issuer));
        reg.registerSchema(issuer, "{}", TYPE, 1);
        vm.expectRevert(abi.encodeWithSelector(IIssuerRegistry.IssuerNotAuthorised.selector, issuer, OTHER_TYPE));
        reg.registerSchema(issuer, "{}", OTHER_TYPE, 1);
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaUnauthorisedPublisher.selector, ISSUER2, issuer));
        reg.registerSchema(ISSUER2, "{}", TYPE, 1);
        vm.stopPrank();
        vm.prank(STRANGER); // neither an issuer nor governance
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaUnauthorisedPublisher.selector, STRANGER, STRANGER));
        reg.registerSchema(STRANGER, "{}", TYPE, 1);
        vm.prank(STRANGER); // governance's name, not its key
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaUnauthorisedPublisher.selector, ADMIN, STRANGER));
        reg.registerSchema(ADMIN, "{}", TYPE, 1);
        vm.prank(ADMIN);
        reg.suspendIssuer(issuer, "s");
        vm.prank(issuer);
        vm.expectRevert(
            abi.encodeWithSelector(IIssuerRegistry.IssuerNotActive.selector, issuer, IIssuerRegistry.IssuerStatus.Suspended)
        );
        reg.registerSchema(issuer, "{\"v\":2}", TYPE, 2);
    }

    function test_deprecateSchema__by_its_publisher_or_governance_only() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaUnauthorisedDeprecation.selector, schema, STRANGER));
        reg.deprecateSchema(schema);
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaUnknown.selector, bytes32(0)));
        reg.deprecateSchema(bytes32(0));
        vm.prank(issuer);
        reg.deprecateSchema(schema);
        assertEq(reg.getSchema(schema).deprecatedAt, block.timestamp, "deprecated");
        vm.prank(ADMIN);
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaIsDeprecated.selector, schema, uint64(block.timestamp)));
        reg.deprecateSchema(schema);
        vm.prank(ADMIN);
        bytes32 gov = reg.registerSchema(ADMIN, "{\"gov\":1}", TYPE, 1);
        vm.prank(issuer); // a governance schema: only governance deprecates it
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaUnauthorisedDeprecation.selector, gov, issuer));
        reg.deprecateSchema(gov);
        vm.prank(ADMIN);
        reg.deprecateSchema(gov);
    }
}
