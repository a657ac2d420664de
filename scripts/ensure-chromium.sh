#!/usr/bin/env bash
# Makes sure a Chromium for the browser scenarios is present: CHROME_PATH, a usual install path,
# or (as root on Debian) Debian's chromium package installed now. Prints the path it found.
set -euo pipefail
for c in "${CHROME_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome /usr/bin/google-chrome-stable; do
  if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; exit 0; fi
done
if [ -n "${REGRESS_CDP_URL:-}" ]; then echo "remote:$REGRESS_CDP_URL"; exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium (browser scenarios need it)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends chromium >&2 || { apt-get update >&2 && apt-get install -y --no-install-recommends chromium >&2; }
  echo /usr/bin/chromium
  exit 0
fi
echo "no Chromium found: install Debian's 'chromium' package, set CHROME_PATH to a Chrome/Chromium binary, or set REGRESS_CDP_URL to a DevTools websocket URL" >&2
exit 3
