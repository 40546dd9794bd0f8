#!/usr/bin/env python3
"""Checks caselog's JSON Schemas with the `jsonschema` package (PyPI; deploy/dev
installs it): every file under the given directory is a valid JSON Schema 2020-12
document, and every `$ref` in it resolves. Prints one line per file that fails and a
summary; exits 1 on any failure.

    .dev/venv/bin/python tools/contract/validate_schemas.py schemas/generated
"""

import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def resolves(document, ref):
    if not ref.startswith("#/"):
        return False
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def problems_of(path):
    document = json.loads(path.read_text())
    if path.name.endswith(".schema.json"):
        try:
            Draft202012Validator.check_schema(document)
        except SchemaError as error:
            return [f"not a valid JSON Schema 2020-12: {error.message} at {list(error.path)}"]
        if document.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            return ["does not declare the 2020-12 dialect"]
        schemas = [document]
    else:
        # An AsyncAPI document: each component schema is a schema of its own.
        schemas = list(document.get("components", {}).get("schemas", {}).values())
        for schema in schemas:
            try:
                Draft202012Validator.check_schema(schema)
            except SchemaError as error:
                return [f"a component schema is invalid: {error.message}"]
    return [f"unresolved $ref {ref}" for ref in refs(document) if not resolves(document, ref)]


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "schemas/generated")
    files = sorted(root.rglob("*.json"))
    failures = 0
    for path in files:
        for problem in problems_of(path):
            print(f"{path}: {problem}")
            failures += 1
    print(json.dumps({"files": len(files), "failures": failures}))
    sys.exit(1 if failures or not files else 0)


if __name__ == "__main__":
    main()
