"""TheKey benchmarks: gas side by side with the reference contracts, SDK throughput, charts.

Run with ``python -m benchmarks`` (``make bench``). Everything runs on one embedded Anvil in
one process; results land in ``benchmarks/results/`` (``gas.json``, ``throughput.json``,
``README.md``, ``gas.png``, ``batch.png``). The benchmark reports, it never fails the build:
a target missed prints FAIL beside its row, and a domain that cannot be measured yields a
"not measured: <reason>" row.
"""
