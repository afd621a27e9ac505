#!/bin/bash
# ApplicationStop (runs the previous revision's copy of this script): stop serving.
set -uo pipefail
if systemctl is-active --quiet httpd; then
  systemctl stop httpd
fi
exit 0
