"""Golden sources: the generated derivative of a few functions, pinned as files.

Each case's derivative source is kept in ``tests/golden/sources/<case>.py`` and
``tests/test_golden.py`` compares it with ``.source``. When the emitter changes on purpose,
regenerate them all with one command from the repository root and review the diff::

    python -m tests.golden --update

Without ``--update`` the command prints the cases whose source differs from the file.
"""
