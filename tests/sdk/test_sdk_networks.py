"""Named networks: the TOML files and their precedence, ``--network`` on the commands, the expected
chain id, and the confirmations and EIP-1559 fee caps applied where transactions are sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil, Chain
from thekey.chain.transactions import GWEI, GasPolicy
from thekey.cli.main import main
from thekey.errors import BadInput, ChainError, ConfigError
from thekey.networks import LOCAL, known_networks, resolve_network


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(project folder = working directory, user networks.toml) — both empty, isolated from the machine."""
    project = tmp_path / "project"
    project.mkdir()
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.chdir(project)
    (config / "thekey").mkdir(parents=True)
    return project, config / "thekey" / "networks.toml"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_networks__project_file_wins_over_user_file_and_local_is_built_in(homes: tuple[Path, Path]) -> None:
    project, user = homes
    user.write_text(
        '[networks.shared]\nrpc_url = "https://user.example"\nchain_id = 1\n'
        '[networks.mine]\nrpc_url = "https://mine.example"\nconfirmations = 3\n'
    )
    (project / "thekey.toml").write_text(
        '[networks.shared]\nrpc_url = "https://project.example"\nchain_id = 11155111\n'
        'max_fee_gwei = 40\nmax_priority_fee_gwei = 1.5\nmanifest = "deployments/shared.json"\n'
    )
    (project / "sub").mkdir()
    networks = known_networks(project / "sub")  # the nearest parent's thekey.toml counts
    assert set(networks) == {"local", "shared", "mine"}
    shared = networks["shared"]
    assert (shared.rpc_url, shared.chain_id, shared.confirmations) == ("https://project.example", 11155111, 1)
    assert shared.gas == GasPolicy(40 * GWEI, 1_500_000_000)
    assert shared.manifest == (project / "deployments" / "shared.json").resolve()
    assert networks["mine"].confirmations == 3 and networks["mine"].defined_in == user
    assert resolve_network(None) is LOCAL and resolve_network("local") is LOCAL
    assert resolve_network("http://10.0.0.1:8545").rpc_url == "http://10.0.0.1:8545"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('rpc_url = "https://x.example"\nchainid = 1', "unknown key 'chainid'"),
        ('rpc_url = "ws://x.example"', "rpc_url must be an http"),
        ('rpc_url = "https://x.example"\nchain_id = "one"', "chain_id must be an integer"),
        ('rpc_url = "https://x.example"\nconfirmations = 0', "confirmations must be an integer ≥ 1"),
        ('rpc_url = "https://x.example"\nmax_fee_gwei = -2', "max_fee_gwei must be a positive number of gwei"),
        ('rpc_url = "https://x.example"\nmax_fee_gwei = 0.0000000001', "at most 9 decimals"),
        ("rpc_url = ", "not a readable TOML file"),
    ],
)
def test_networks__a_malformed_entry_is_one_line_naming_file_and_network(
    homes: tuple[Path, Path], entry: str, message: str
) -> None:
    project, _ = homes
    (project / "thekey.toml").write_text(f"[networks.bad]\n{entry}\n")
    with pytest.raises(ConfigError, match=message) as caught:
        resolve_network("bad")
    assert "\n" not in str(caught.value) and "thekey.toml" in str(caught.value)


def test_networks__rpc_url_takes_secrets_from_the_environment(
    homes: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _ = homes
    (project / "thekey.toml").write_text('[networks.l2]\nrpc_url = "https://rpc.example/v3/${L2_KEY}"\n')
    with pytest.raises(ConfigError, match="needs the environment variable L2_KEY"):
        resolve_network("l2")
    monkeypatch.setenv("L2_KEY", "s3cret")
    assert resolve_network("l2").rpc_url == "https://rpc.example/v3/s3cret"


def test_networks__an_unknown_name_lists_the_known_ones(homes: tuple[Path, Path]) -> None:
    with pytest.raises(BadInput, match=r"unknown network 'sepolia': known are local"):
        resolve_network("sepolia")


def test_cli__deploy_then_read_through_a_named_network_and_its_manifest(
    homes: tuple[Path, Path], anvil: Anvil, chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    project, _ = homes
    (project / "thekey.toml").write_text(
        f'[networks.dev]\nrpc_url = "{anvil.url}"\nchain_id = 31337\nmanifest = "deployments/dev.json"\n'
    )
    code, out, err = _cli(capsys, "deploy", "--network", "dev", "--json")
    assert code == 0, err
    manifest = json.loads((project / "deployments" / "dev.json").read_text())
    assert manifest == json.loads(out)
    code, out, err = _cli(capsys, "token", "info", "--network", "dev", "--json")
    assert code == 0, err
    assert json.loads(out)["address"] == manifest["contracts"]["token"]["address"]


def test_cli__a_network_whose_node_reports_another_chain_id_is_refused_in_one_line(
    homes: tuple[Path, Path], anvil: Anvil, capsys: pytest.CaptureFixture[str]
) -> None:
    project, _ = homes
    (project / "thekey.toml").write_text(f'[networks.mainnet]\nrpc_url = "{anvil.url}"\nchain_id = 1\n')
    code, _, err = _cli(capsys, "token", "info", "--network", "mainnet")
    assert code == 2
    assert err.strip() == (
        "error: chain id mismatch on network 'mainnet': expected 1, node reports 31337; refusing to sign"
    )


def test_chain__a_receipt_is_returned_only_once_it_is_the_configured_confirmations_deep(
    accounts: list[LocalAccount],
) -> None:
    with Anvil(accounts=2, block_time=0.2) as node:  # interval mining: blocks keep coming
        chain = Chain.connect(node.url, confirmations=3)
        receipt = chain.send_eth(accounts[1].address, 1, accounts[0])
        assert chain.block_number() >= receipt.block_number + 2


def test_chain__fee_caps_bound_what_is_signed_and_a_base_fee_above_the_cap_sends_nothing(
    anvil: Anvil, chain: Chain, accounts: list[LocalAccount]
) -> None:
    base = int(chain.rpc("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"], 16)
    capped = Chain.connect(
        anvil.url, gas_policy=GasPolicy(max_fee_per_gas=base + base // 2, max_priority_fee_per_gas=7)
    )
    receipt = capped.send_eth(accounts[1].address, 1, accounts[5])
    tx = chain.rpc("eth_getTransactionByHash", [receipt.tx_hash])
    assert int(tx["maxFeePerGas"], 16) <= base + base // 2
    assert int(tx["maxPriorityFeePerGas"], 16) == 7

    nonce = int(chain.rpc("eth_getTransactionCount", [accounts[5].address, "pending"]), 16)
    too_low = Chain.connect(anvil.url, gas_policy=GasPolicy(max_fee_per_gas=1))
    with pytest.raises(ChainError, match=r"the base fee is .* gwei, above this network's cap of 0\.000000001 gwei"):
        too_low.send_eth(accounts[1].address, 1, accounts[5])
    assert int(chain.rpc("eth_getTransactionCount", [accounts[5].address, "pending"]), 16) == nonce


def test_cli__networks_lists_each_network_with_the_file_that_wins_and_no_secret(
    homes: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, user = homes
    monkeypatch.setenv("L2_KEY", "s3cret")
    user.write_text('[networks.l2]\nrpc_url = "https://user.example/${L2_KEY}"\n')
    (project / "thekey.toml").write_text(
        '[networks.l2]\nrpc_url = "https://project.example/${L2_KEY}"\nchain_id = 10\n'
    )
    code, out, err = _cli(capsys, "networks", "--json")
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)}
    assert set(rows) == {"local", "l2"} and rows["local"]["definedIn"] == "built in"
    assert rows["l2"]["rpcUrl"] == "https://project.example/${L2_KEY}" and rows["l2"]["chainId"] == 10
    assert rows["l2"]["definedIn"] == str(project / "thekey.toml") and "s3cret" not in out
