#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report's browser test
# (report/browser_test.go), when it is missing. Sourced by .ci/run.
set -euo pipefail
if [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci: no apt-get; the browser test will be skipped" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
