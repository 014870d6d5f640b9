"""Run every benchmark in turn; each prints its own figures."""

from benchmarks import cases, encryption, imports, sign_in, stats, throughput

for module in (sign_in, encryption, cases, imports, stats, throughput):
    module.main()
