#!/bin/sh
# Makes sure a real Prometheus (and promtool) is installed for the ops test tier, which starts its own
# Prometheus on a free port. Idempotent: does nothing when `prometheus` is already there. Installs Debian's
# `prometheus` package when running as root (as on CI); never leaves the package's own service running.
set -eu

found() { command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ]; }

if found; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "ensure-prometheus: prometheus is not installed and this is not root; install it with" >&2
  echo "  sudo apt-get install -y --no-install-recommends prometheus   (the ops tests need it)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-prometheus: no apt-get here; install Prometheus 2.x so that 'prometheus' is on PATH" >&2
  exit 1
fi

# The package starts its service on install; a policy-rc.d answering 101 ("action forbidden") stops that
# (honoured by invoke-rc.d and deb-systemd-invoke). An existing policy file is put back afterwards.
POLICY=/usr/sbin/policy-rc.d
SAVED=""
if [ -e "$POLICY" ]; then
  SAVED="$POLICY.ensure-prometheus.$$"
  mv "$POLICY" "$SAVED"
fi
restore_policy() {
  rm -f "$POLICY"
  if [ -n "$SAVED" ]; then mv "$SAVED" "$POLICY"; fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' >"$POLICY"
chmod 755 "$POLICY"

echo "ensure-prometheus: installing Debian's prometheus package"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null

restore_policy
trap - EXIT

# Belt and braces: if a service manager started it anyway, stop and disable it (it would hold port 9090).
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
  systemctl disable prometheus >/dev/null 2>&1 || true
fi
if [ -x /etc/init.d/prometheus ]; then
  /etc/init.d/prometheus stop >/dev/null 2>&1 || true
fi
if pgrep -f '^/usr/bin/prometheus' >/dev/null 2>&1; then
  echo "ensure-prometheus: the package's prometheus service is still running" >&2
  exit 1
fi

found || { echo "ensure-prometheus: install finished but prometheus is not on PATH" >&2; exit 1; }
prometheus --version 2>&1 | head -1
