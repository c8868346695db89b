#!/usr/bin/env bash
# Installs the Debian packages the project needs beyond Python.
#   run:  fonts-noto-cjk, libharfbuzz-subset0  Chinese glyphs in PDF reports, and fast font subsetting
#                                               in WeasyPrint (without it a one-page PDF takes ~26 s)
#   test: the above, and poppler-utils          pdftotext/pdftoppm for report tests
#                        chromium               the browser the Playwright tests drive (/usr/bin/chromium)
#                        mosquitto              the MQTT broker of the metering intake tests (127.0.0.1:1883)
# Usage: install-system.sh run|test. Skips what is already there. As root it installs what is
# missing; otherwise `run` says what is missing and what works without it (and goes on), `test` fails.
set -euo pipefail
profile="${1:-test}"
pkgs=(fonts-noto-cjk libharfbuzz-subset0)
[ "$profile" = test ] && pkgs+=(poppler-utils chromium mosquitto)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  if [ "$profile" = run ]; then
    echo "install-system: missing Debian packages ${missing[*]} (install as root: apt-get install ${missing[*]})." >&2
    echo "install-system: the platform runs without them; PDF reports then lack Chinese glyphs or take ~30 s each." >&2
    exit 0
  fi
  echo "install-system: missing Debian packages ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "install-system: apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
