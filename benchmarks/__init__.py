"""mreg-di's benchmark harness: start-up, ``get`` and codegen, side by side with alternatives.

Run ``python -m benchmarks`` for the full run or ``python -m benchmarks --quick`` for the smoke
run; see docs/benchmarks.md for what each row means.
"""
