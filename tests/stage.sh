#!/usr/bin/env bash
# stage.sh NAME COMMAND...: runs one step of `make test` and appends "NAME: N s" to
# _build/test-stages.txt, which .ci/run prints with its own stage times.
name=$1
shift
start=$SECONDS
"$@"
status=$?
mkdir -p _build
outcome=""
[ "$status" -eq 0 ] || outcome=" (FAILED, exit status $status)"
echo "$name: $((SECONDS - start)) s$outcome" >> _build/test-stages.txt
exit "$status"
