"""Run every benchmark in turn; each prints its own figures."""

from benchmarks import cases, encryption, sign_in, stats, throughput

for module in (sign_in, encryption, cases, stats, throughput):
    module.main()
