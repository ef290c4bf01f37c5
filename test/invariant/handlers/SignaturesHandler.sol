// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {HandlerBase} from "../../utils/HandlerBase.sol";
import {EIDRegistry} from "../../../contracts/identity/EIDRegistry.sol";
import {ConsentRegistry} from "../../../contracts/consent/ConsentRegistry.sol";
import {CredentialRegistry} from "../../../contracts/credentials/CredentialRegistry.sol";
import {TheKeyToken} from "../../../contracts/token/TheKeyToken.sol";
import {IConsentRegistry} from "../../../contracts/interfaces/IConsentRegistry.sol";
import {ICredentialRegistry} from "../../../contracts/interfaces/ICredentialRegistry.sol";
import {IERC1056} from "../../../contracts/interfaces/IERC1056.sol";

/// @notice Signed actions of the eID registry, the consent registry, the credential registry and
/// the token, each deployed twice (twins differ only in address). Every round signs one action,
/// submits it where it belongs (it must succeed) and then tries it again: on the same function, on
/// the twin contract, on another function whose arguments line up, and signed for another chain.
/// Every replay must fail; each contract's nonce rises by one per accepted signature.
contract SignaturesHandler is HandlerBase {
    bytes32 public constant REPLAYED = "signature accepted twice";
    bytes32 public constant CROSS_CONTRACT = "signature accepted by the twin";
    bytes32 public constant CROSS_FUNCTION = "accepted by another function";
    bytes32 public constant CROSS_CHAIN = "accepted on another chain";
    bytes32 public constant REFUSED = "legitimate call refused";

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    uint256 private constant OTHER_CHAIN = 1;

    uint256 public immutable signerKey = 0x4242;
    address public immutable signer;

    EIDRegistry[2] public eids;
    ConsentRegistry[2] public consentRegistries;
    CredentialRegistry[2] public credentialRegistries;
    TheKeyToken[2] public tokens;
    bytes32[2] public schemas;

    /// @dev Accepted signatures per contract (the model of its nonce for `signer`).
    mapping(address target => uint256) public accepted;
    uint256 private _round;
    /// @dev The modelled serial of the signer's consent per registry and scope.
    mapping(address registry => mapping(bytes32 scope => uint32)) public serials;

    constructor() {
        signer = vm.addr(signerKey);
        bytes32[] memory types = new bytes32[](1);
        types[0] = "Credential";
        for (uint256 i = 0; i < 2; ++i) {
            eids[i] = new EIDRegistry();
            consentRegistries[i] = new ConsentRegistry(IERC1056(address(eids[i])));
            credentialRegistries[i] = new CredentialRegistry(address(this), IERC1056(address(eids[i])));
            credentialRegistries[i].addIssuer(signer, "issuer", types);
            schemas[i] = credentialRegistries[i].registerSchema(address(this), "schema", "Credential", 1);
            tokens[i] = new TheKeyToken(address(this), type(uint128).max, signer, 1e24);
        }
    }

    // ------------------------------------------------------------------ digests

    function _digest(string memory name, string memory version, address target, uint256 chainId, bytes32 structHash)
        private
        pure
        returns (bytes32)
    {
        bytes32 domain =
            keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), keccak256(bytes(version)), chainId, target));
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _sign(bytes32 digest) private view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, digest);
        return abi.encodePacked(r, s, v);
    }

    function _chain(bool other) private view returns (uint256) {
        return other ? OTHER_CHAIN : block.chainid;
    }

    /// @dev Submit `data` to `target`: `legit` calls must succeed (and count), others must fail.
    function _submit(address target, bytes memory data, bool legit, bytes32 kind) private returns (bool ok) {
        (ok,) = target.call(data);
        if (legit && !ok) _breach(REFUSED, "a fresh signature was refused");
        if (legit && ok) accepted[target] += 1;
        if (!legit && ok) {
            _breach(kind, "replay accepted");
            accepted[target] += 1;
        }
    }

    // ------------------------------------------------------------------ eID registry

    function _eidAddDelegate(uint256 i, uint256 chainId, address delegate, uint256 deadline)
        private
        view
        returns (bytes memory)
    {
        EIDRegistry e = eids[i];
        bytes32 structHash = keccak256(
            abi.encode(e.ADD_DELEGATE_TYPEHASH(), signer, bytes32("sigAuth"), delegate, uint256(1 days), e.nonces(signer), deadline)
        );
        bytes memory sig = _sign(_digest("TheKey EIDRegistry", "1", address(e), chainId, structHash));
        return abi.encodeCall(e.addDelegateBySig, (signer, bytes32("sigAuth"), delegate, 1 days, deadline, sig));
    }

    /// @notice One signed addDelegate on eID registry `i`, then its replays.
    function eidRound(uint256 i, uint8 mode) external {
        i = i % 2;
        uint256 deadline = now_ + 1 hours;
        address delegate = vm.addr(0x7000 + (++_round % 16));
        mode = mode % 4;
        if (mode == 2) {
            // signed for another chain: refused here
            _submit(address(eids[i]), _eidAddDelegate(i, OTHER_CHAIN, delegate, deadline), false, CROSS_CHAIN);
            return;
        }
        bytes memory data = _eidAddDelegate(i, block.chainid, delegate, deadline);
        if (mode == 3) {
            // the same signature on revokeDelegateBySig (same identity, type and delegate): another function
            (,,,,, bytes memory sig) = abi.decode(_tail(data), (address, bytes32, address, uint256, uint256, bytes));
            bytes memory other = abi.encodeCall(eids[i].revokeDelegateBySig, (signer, bytes32("sigAuth"), delegate, deadline, sig));
            _submit(address(eids[i]), other, false, CROSS_FUNCTION);
        }
        if (!_submit(address(eids[i]), data, true, REPLAYED)) return;
        _submit(address(eids[i]), data, false, REPLAYED);
        if (mode == 1) _submit(address(eids[1 - i]), data, false, CROSS_CONTRACT);
    }

    // ------------------------------------------------------------------ consent registry

    function _grant(uint256 i, uint256 chainId, bytes32 scope, uint256 deadline) private view returns (bytes memory) {
        ConsentRegistry c = consentRegistries[i];
        IConsentRegistry.GrantRequest memory r =
            IConsentRegistry.GrantRequest(signer, address(0xC0FFEE), scope, "purpose", 0, 0, 0);
        uint32 serial = serials[address(c)][scope] + 1;
        bytes32 structHash = keccak256(abi.encode(c.GRANT_TYPEHASH(), r, serial, signer, deadline));
        bytes memory sig = _sign(_digest("TheKey Consent", "1", address(c), chainId, structHash));
        return abi.encodeCall(c.grantBySig, (r, serial, signer, deadline, sig));
    }

    /// @notice One signed consent grant on registry `i`, then its replays.
    function consentRound(uint256 i, uint8 scopeSeed, uint8 mode) external {
        i = i % 2;
        bytes32 scope = bytes32(uint256(scopeSeed % 4) + 1);
        uint256 deadline = now_ + 1 hours;
        mode = mode % 3;
        if (mode == 2) {
            _submit(address(consentRegistries[i]), _grant(i, OTHER_CHAIN, scope, deadline), false, CROSS_CHAIN);
            return;
        }
        bytes memory data = _grant(i, block.chainid, scope, deadline);
        if (!_submit(address(consentRegistries[i]), data, true, REPLAYED)) return;
        serials[address(consentRegistries[i])][scope] += 1;
        _submit(address(consentRegistries[i]), data, false, REPLAYED);
        if (mode == 1) _submit(address(consentRegistries[1 - i]), data, false, CROSS_CONTRACT);
    }

    // ------------------------------------------------------------------ credential registry

    function _anchor(uint256 i, uint256 chainId, bytes32 h, uint256 deadline) private view returns (bytes memory) {
        CredentialRegistry c = credentialRegistries[i];
        ICredentialRegistry.AnchorRequest memory r = ICredentialRegistry.AnchorRequest(signer, h, schemas[i], 0, 0, 1);
        uint256 nonce = c.nonces(signer, 0);
        bytes32 structHash = keccak256(
            abi.encode(c.ANCHOR_TYPEHASH(), r.issuer, r.credentialHash, r.schemaId, r.validFrom, r.validUntil, r.statusIndex, nonce, uint64(deadline))
        );
        bytes memory sig = _sign(_digest("TheKey Credentials", "1", address(c), chainId, structHash));
        return abi.encodeCall(c.anchorBySig, (r, signer, nonce, uint64(deadline), sig));
    }

    /// @notice One signed anchor on registry `i`, then its replays (the twin has the same schema id).
    function credentialRound(uint256 i, uint8 mode) external {
        i = i % 2;
        bytes32 h = keccak256(abi.encode("credential", ++_round));
        uint256 deadline = now_ + 1 hours;
        mode = mode % 3;
        if (mode == 2) {
            _submit(address(credentialRegistries[i]), _anchor(i, OTHER_CHAIN, h, deadline), false, CROSS_CHAIN);
            return;
        }
        bytes memory data = _anchor(i, block.chainid, h, deadline);
        if (!_submit(address(credentialRegistries[i]), data, true, REPLAYED)) return;
        _submit(address(credentialRegistries[i]), data, false, REPLAYED);
        if (mode == 1) _submit(address(credentialRegistries[1 - i]), data, false, CROSS_CONTRACT);
    }

    // ------------------------------------------------------------------ token permit

    function _permit(uint256 i, uint256 chainId, uint256 value, uint256 deadline) private view returns (bytes memory) {
        TheKeyToken t = tokens[i];
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, signer, address(0xBEEF), value, t.nonces(signer), deadline));
        bytes32 digest = _digest("TheKey", "1", address(t), chainId, structHash);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, digest);
        return abi.encodeCall(t.permit, (signer, address(0xBEEF), value, deadline, v, r, s));
    }

    /// @notice One EIP-2612 permit on token `i`, then its replays.
    function permitRound(uint256 i, uint256 value, uint8 mode) external {
        i = i % 2;
        uint256 deadline = now_ + 1 hours;
        mode = mode % 3;
        if (mode == 2) {
            _submit(address(tokens[i]), _permit(i, OTHER_CHAIN, value, deadline), false, CROSS_CHAIN);
            return;
        }
        bytes memory data = _permit(i, block.chainid, value, deadline);
        if (!_submit(address(tokens[i]), data, true, REPLAYED)) return;
        _submit(address(tokens[i]), data, false, REPLAYED);
        if (mode == 1) _submit(address(tokens[1 - i]), data, false, CROSS_CONTRACT);
    }

    /// @notice The chain forks (another chain id): a signature of the old chain must not pass on the new one.
    function fork(uint8 mode) external {
        uint256 original = block.chainid;
        bytes memory data = _eidAddDelegate(0, original, vm.addr(0x7777), now_ + 1 hours);
        vm.chainId(original + 1 + (mode % 3));
        _submit(address(eids[0]), data, false, CROSS_CHAIN);
        vm.chainId(original);
    }

    function warp(uint256 seed) external {
        _warp(seed, 10 minutes);
    }

    /// @dev `data` without its 4-byte selector.
    function _tail(bytes memory data) private pure returns (bytes memory tail) {
        tail = new bytes(data.length - 4);
        for (uint256 j = 0; j < tail.length; ++j) tail[j] = data[j + 4];
    }
}
