// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Vm} from "./Vm.sol";

interface IEIP712Domain {
    function eip712Domain()
        external
        view
        returns (bytes1, string memory, string memory, uint256, address, bytes32, uint256[] memory);
}

/// @notice EIP-712 digests built from a contract's own `eip712Domain()` (ERC-5267), and signatures.
library Sig {
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    function domainSeparator(address target) internal view returns (bytes32) {
        (, string memory name, string memory version, uint256 chainId, address verifying,,) =
            IEIP712Domain(target).eip712Domain();
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), keccak256(bytes(version)), chainId, verifying));
    }

    function digest(address target, bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(target), structHash));
    }

    function sign(Vm vm, uint256 key, address target, bytes32 structHash) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest(target, structHash));
        return abi.encodePacked(r, s, v);
    }
}
