"""Validates a SARIF log against the SARIF 2.1.0 JSON schema.

The schema file is the OASIS SARIF 2.1.0 schema (sarif-2.1.0-rtm.5.json) as published in the npm
package @microsoft/jest-sarif. Usage: python3 validate.py LOG.sarif (exit 0 when valid).
"""

import json
import pathlib
import sys

import jsonschema

SCHEMA = pathlib.Path(__file__).with_name("sarif-2.1.0-rtm.5.json")


def main() -> int:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    for error in errors:
        print(f"{'/'.join(map(str, error.path))}: {error.message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
