"""Benchmarks that prove (or disprove) the speed goals in the issues.

Every case times our operation and a reference tool on the same input in the same
run, several times, and reports the median ratio beside absolute figures and peak
memory: the machines we run on are noisy, so ratios are what we compare over time.
A benchmark is never a test: an unmet goal is reported, it never fails the run.

    python -m bench            # full size, writes bench/results.md and results.json
    python -m bench --quick    # small inputs, under a minute, for CI
    python -m bench --only search --reps 3

See bench/harness.py for the measuring and reporting, bench/cases/ for one module
per case.
"""
