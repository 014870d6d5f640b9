"""Run every benchmark in turn; each prints its own figures."""

from benchmarks import sign_in

for module in (sign_in,):
    module.main()
