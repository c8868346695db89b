#!/usr/bin/env bash
# Installs the Debian packages the project needs beyond Python:
#   fonts-noto-cjk, libharfbuzz-subset0  Chinese glyphs in PDF reports, and fast font subsetting in WeasyPrint
#   poppler-utils                        pdftotext/pdftoppm for report tests
#   chromium                             the browser the Playwright tests drive (executable_path=/usr/bin/chromium)
# Skips what is already there; never fails a machine that has them all.
set -euo pipefail
pkgs=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system: missing Debian packages ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "install-system: apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
