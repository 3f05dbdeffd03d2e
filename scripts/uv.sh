#!/bin/sh
# Run uv, installing it first if this machine has none (python3 -m pip install uv).
# Used by the Makefile so that a fresh machine needs only python3 and make.
set -eu
if uv --version >/dev/null 2>&1; then exec uv "$@"; fi
if python3 -m uv --version >/dev/null 2>&1; then exec python3 -m uv "$@"; fi
echo "uv not found: installing it with pip" >&2
python3 -m pip install --quiet uv \
  || python3 -m pip install --quiet --user uv \
  || python3 -m pip install --quiet --user --break-system-packages uv
if uv --version >/dev/null 2>&1; then exec uv "$@"; fi
exec python3 -m uv "$@"
