#!/bin/bash
# ApplicationStart: (re)start the web server with the files Install copied.
set -euo pipefail
systemctl enable httpd
systemctl restart httpd
