"""Proposal rules and policy baselines: data files (rules.toml, baselines/*.toml, reserve_limits.toml)
and the small engine that reads them. Policy changes, so none of it is code."""
