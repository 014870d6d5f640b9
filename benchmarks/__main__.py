"""Run every benchmark in turn; each prints its own figures."""

from benchmarks import cases, encryption, sign_in

for module in (sign_in, encryption, cases):
    module.main()
