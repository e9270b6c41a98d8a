"""Running many programs under hypothesis: counting, collecting skips, shrinking failures."""

from __future__ import annotations

import sys
import time
import traceback
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seed_of

from fuzz.check import FuzzFailure, Skip, run_program
from fuzz.forward import check_forward
from fuzz.programs import programs
from fuzz.report import regression_test


def skip_reason(exc: Skip) -> str:
    """The kind of a skip, without its numbers (for the summary)."""
    text = str(exc)
    return text.split("(")[0].strip() if "(" in text else text.split(":")[0]


def run_many(
    count: int, seed: int, shrink: bool = True, label: str = "", forward: bool = False
) -> dict[str, Any]:
    """Check ``count`` programs drawn with ``seed``; after a failure, go on with the next seed.
    With ``forward``, also jvp and hvp (:mod:`fuzz.forward`).

    Returns ``checked`` (programs run, shrinking not counted), ``skipped`` (a Counter of
    reasons) and ``failures`` (ready-to-paste tests, one per failure found).
    """
    state: dict[str, Any] = {"checked": 0, "skipped": Counter(), "failures": [], "last": None}
    phases = [Phase.generate] + ([Phase.shrink] if shrink else [])
    start = time.perf_counter()
    attempt = 0
    while state["checked"] < count:
        state["shrinking"] = False

        @settings(
            max_examples=count - state["checked"],
            database=None,
            deadline=None,
            phases=phases,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
        )
        @seed_of(seed * 7919 + attempt)
        @given(programs())
        def check(program):
            if not state["shrinking"]:
                state["checked"] += 1
                if state["checked"] % 250 == 0:
                    elapsed = time.perf_counter() - start
                    print(f"{label}: {state['checked']} programs, {elapsed:.0f} s", flush=True)
            try:
                run_program(program)
                if forward:
                    check_forward(program)
            except Skip as skipped:
                if not state["shrinking"]:
                    state["skipped"][skip_reason(skipped)] += 1
            except FuzzFailure as failure:
                state["shrinking"] = True
                state["last"] = (program, failure)
                raise

        try:
            check()
        except FuzzFailure:
            program, exc = state["last"]
            title = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            test = regression_test(program, title, forward=forward)
            state["failures"].append(test)
            print(f"{label}: failure\n{test}", file=sys.stderr, flush=True)
        except Exception as exc:  # the generator, or hypothesis itself: report and go on
            text = "".join(traceback.format_exception(exc))
            state["failures"].append("# " + text.replace("\n", "\n# "))
            print(f"{label}: {text}", file=sys.stderr, flush=True)
        attempt += 1
    return {k: state[k] for k in ("checked", "skipped", "failures")}
