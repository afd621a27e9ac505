#!/bin/bash
# BeforeInstall: make sure the web server is installed (Amazon Linux 2023).
set -euo pipefail
if ! rpm -q httpd >/dev/null 2>&1; then
  dnf install -y httpd
fi
mkdir -p /var/www/html
