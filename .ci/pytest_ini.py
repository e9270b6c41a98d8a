"""Write pyproject.toml's [tool.pytest.ini_options] as a pytest.ini (for the suite run outside
the checkout): `python .ci/pytest_ini.py pyproject.toml OUT/pytest.ini`."""

import sys
import tomllib

with open(sys.argv[1], "rb") as handle:
    settings = tomllib.load(handle)["tool"]["pytest"]["ini_options"]
settings.pop("testpaths", None)  # the copied tests/ is found from where pytest runs
lines = ["[pytest]"]
for key, value in settings.items():
    if isinstance(value, list):
        lines += [f"{key} ="] + [f"    {item}" for item in value]
    else:
        lines.append(f"{key} = {value}")
with open(sys.argv[2], "w") as handle:
    handle.write("\n".join(lines) + "\n")
