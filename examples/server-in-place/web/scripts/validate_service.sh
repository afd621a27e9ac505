#!/bin/bash
# ValidateService: the instance must serve the new page before CodeDeploy moves on.
set -uo pipefail
for attempt in $(seq 1 20); do
  if curl --silent --fail --max-time 2 http://localhost/ | grep -q "Deployed by AWS CodeDeploy"; then
    exit 0
  fi
  sleep 3
done
echo "http://localhost/ did not serve the revision" >&2
exit 1
