"""Differential fuzzing of s2s: random numpy programs whose derivatives are checked against
central differences (see ``programs`` for what is generated and ``check`` for what is checked).

The default test run checks a fixed-seed slice (``tests/test_fuzz.py``); a long run is

    python -m tests.fuzz --programs 10000 --jobs 2

which prints each failing program, shrunk by hypothesis, as a ready-to-paste pytest test.
"""
