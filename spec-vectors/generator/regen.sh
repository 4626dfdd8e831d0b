#!/bin/sh
# Regenerate every vector file under spec-vectors/ deterministically.
# Creates a throw-away venv from the wheels on disk (no network), runs the
# generator (which aborts on any cross-check mismatch) and the grammar checker.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
WHEELS=${WHEELS:-/opt/pypi/files}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install -q --no-index --find-links "$WHEELS" ml_dtypes==0.6.0 gguf==0.19.0 numpy==2.4.6
cd "$ROOT"
"$TMP/venv/bin/python" -W ignore "$HERE/gen.py" all
"$TMP/venv/bin/python" "$HERE/check_grammar.py" "$ROOT"
