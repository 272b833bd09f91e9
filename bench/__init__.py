"""Benchmarks of the solver on the demo services: ``python -m bench.run``; never part of the tests.

Each run happens in its own subprocess (so peak memory is per run) and leaves
``bench/results/<name>.json``; the parent writes ``bench/RESULTS.md`` and ``bench/scaling.png``.
"""
