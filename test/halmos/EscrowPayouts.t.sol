// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {PaymentEscrow} from "../../contracts/payments/PaymentEscrow.sol";

/// @notice halmos proof that PaymentEscrow's settlement (`_settle`, the contract's own code)
/// credits exactly the price for every price and every plan: each payee its floor share, the user
/// its floor share, the verifier the rest, which is at least its floor share and less than its
/// floor share plus one wei per floor taken (the dust), so nothing underflows, is created or lost.
/// One `check_` per payee count (0-8, MAX_PAYEES); distinct payee addresses.
contract EscrowPayoutsProof is PaymentEscrow {
    Agreement internal _scratch;

    constructor() PaymentEscrow(address(0x70CE)) {}

    /// @dev External, so that `_settle` reads the terms from calldata as in the contract.
    function settleHere(Terms calldata t) external {
        _settle(1, _scratch, t);
    }

    function _check(uint96 price, uint16[] memory shares) internal {
        require(price > 0);
        uint256 n = shares.length - 2;
        uint256 sum = 0;
        for (uint256 i = 0; i < shares.length; ++i) sum += shares[i];
        require(sum == 10_000);
        Terms memory t;
        t.provider = address(0x1001);
        t.verifier = address(0x1002);
        t.user = address(0x1003);
        t.arbiter = address(0x1004);
        t.price = price;
        t.plan.payees = new address[](n);
        for (uint256 i = 0; i < n; ++i) t.plan.payees[i] = address(uint160(0x2000 + i));
        t.plan.shares = shares;
        this.settleHere(t);
        uint256 total = 0;
        uint256 floors = 0;
        for (uint256 i = 0; i < n; ++i) {
            uint256 credit = this.creditOf(t.plan.payees[i]);
            assert(credit == (uint256(price) * shares[i + 2]) / 10_000);
            total += credit;
            floors += 1;
        }
        uint256 userCredit = this.creditOf(t.user);
        assert(userCredit == (uint256(price) * shares[1]) / 10_000);
        uint256 verifierCredit = this.creditOf(t.verifier);
        uint256 verifierFloor = (uint256(price) * shares[0]) / 10_000;
        assert(verifierCredit >= verifierFloor);
        assert(verifierCredit <= verifierFloor + floors + 1); // dust: under one wei per floor taken
        assert(total + userCredit + verifierCredit == price);
        assert(this.creditOf(t.provider) == 0);
    }

    function _shares(uint256 n, uint16[10] memory s) internal pure returns (uint16[] memory shares) {
        shares = new uint16[](n + 2);
        for (uint256 i = 0; i < n + 2; ++i) shares[i] = s[i];
    }

    function check_payoutsSumToThePrice_0(uint96 price, uint16[10] memory s) public {
        _check(price, _shares(0, s));
    }

    function check_payoutsSumToThePrice_1(uint96 price, uint16[10] memory s) public {
        _check(price, _shares(1, s));
    }

    function check_payoutsSumToThePrice_2(uint96 price, uint16[10] memory s) public {
        _check(price, _shares(2, s));
    }

    function check_payoutsSumToThePrice_3(uint96 price, uint16[10] memory s) public {
        _check(price, _shares(3, s));
    }

    function check_payoutsSumToThePrice_4(uint96 price, uint16[10] memory s) public {
        _check(price, _shares(4, s));
    }

    function check_payoutsSumToThePrice_8(uint96 price, uint16[10] memory s) public {
        _check(price, _shares(8, s));
    }
}
