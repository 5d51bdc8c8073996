#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report's browser test
# (report/browser_test.go) when it is missing. Works run or sourced
# (it returns from a function rather than exiting).
set -euo pipefail

rubric_install_chromium() {
  if [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ci: no apt-get; the browser test will be skipped" >&2
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
}

rubric_install_chromium
