#!/usr/bin/env bash
# Installs what nbhub needs and is missing, on Debian/Ubuntu. Idempotent; quiet when all is present.
#   scripts/install-deps.sh          runtime: Node.js, JupyterLab 4 (a Python environment), npm packages, the build
#   scripts/install-deps.sh --test   also what the tests use: Debian's notebook 6 (the compatibility suite),
#                                    Chromium, Prometheus's promtool, PostgreSQL (running), the test apps
#                                    (Streamlit, butterfly) in ~/.local/share/nbhub/apps, the S3 server (versitygw,
#                                    built from the Go module proxy into ~/.local/share/nbhub/bin; helm too, for the
#                                    Helm chart's tests), schemathesis (~/.local/share/nbhub/schemathesis), the
#                                    Kubernetes control plane (scripts/kube-local.sh build, ~/.local/share/nbhub/kube-bin)
#                                    and Spark (below)
#   scripts/install-deps.sh --spark  also Spark for the hub's clusters: pyspark from PyPI (it carries spark-class and
#                                    the jars) in ~/.local/share/nbhub/spark, on Java 17 (Debian's, when missing)
# The runtimes' Python environment is $NBHUB_SPAWNER_JUPYTER_ENV, else $XDG_DATA_HOME/nbhub/jupyter, else
# ~/.local/share/nbhub/jupyter: the hub looks there first (config spawner.jupyter_env). It lives outside the
# repository, so a second run (or a second clone) reuses it.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
TEST=""; SPARK=""
for arg in "$@"; do
  case "$arg" in
    --test) TEST=1; SPARK=1 ;;
    --spark) SPARK=1 ;;
    *) echo "usage: $0 [--test] [--spark]" >&2; exit 2 ;;
  esac
done
JUPYTER_ENV="${NBHUB_SPAWNER_JUPYTER_ENV:-${XDG_DATA_HOME:-$HOME/.local/share}/nbhub/jupyter}"
REQ=scripts/requirements/jupyter.txt
CONSTRAINTS=scripts/requirements/jupyter-constraints.txt

apt_updated=""
apt_install() {
  echo "installing (Debian): $*" >&2
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
debian_jupyter=(jupyter-notebook python3-jupyter-server python3-ipykernel)
# Debian's Jupyter runs on the system Python, whatever python3 is first on PATH.
has_debian_jupyter() { [ -x /usr/bin/jupyter-notebook ] && /usr/bin/python3 -c 'import ipykernel' 2>/dev/null; }

missing=()
command -v node >/dev/null || missing+=(nodejs npm)
command -v python3 >/dev/null || missing+=(python3)
if [ -n "$TEST" ]; then
  # Tests run the compatibility subset against Debian's notebook 6 / jupyter-server 1.23 too.
  has_debian_jupyter || missing+=("${debian_jupyter[@]}")
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/bin/promtool ] || missing+=(prometheus)
  # The LDAP tests and bench run a real slapd of their own (bench/lib/slapd.mjs); the package's own directory is not wanted.
  [ -x /usr/sbin/slapd ] && command -v ldapsearch >/dev/null || missing+=(slapd ldap-utils)
fi
if [[ " ${missing[*]} " == *" slapd "* ]]; then echo 'slapd slapd/no_configuration boolean true' | $SUDO debconf-set-selections; fi
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then echo "nbhub needs Node.js 20 or newer (found $(node -v))" >&2; exit 1; fi

# JupyterLab 4, the default runtime, from PyPI into its own environment; reinstalled only when the pins change.
stamp="$JUPYTER_ENV/.nbhub-requirements"
want=$(cat "$REQ" "$CONSTRAINTS" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
  echo "installing JupyterLab 4 into $JUPYTER_ENV (PyPI, pinned in $REQ)" >&2
  if python3 -m venv --clear "$JUPYTER_ENV" \
     && "$JUPYTER_ENV/bin/pip" install -q --disable-pip-version-check -r "$REQ" -c "$CONSTRAINTS"; then
    # jsonschema[format-nongpl] (through jupyter_events) pulls in rfc3987-syntax, which builds a Lark grammar
    # when imported: ~2.8 s of every JupyterLab start (bench/spawn). Without it jsonschema only skips
    # checking the "iri" format of jupyter_events' own schemas.
    "$JUPYTER_ENV/bin/pip" uninstall -q -y rfc3987-syntax
    echo "$want" > "$stamp"
  else
    # No PyPI here: the runtime falls back to Debian's classic notebook (the hub's detection order).
    rm -rf "$JUPYTER_ENV"
    echo "PyPI could not be reached or the install failed: falling back to Debian's Jupyter Notebook 6 (${debian_jupyter[*]})" >&2
    has_debian_jupyter || apt_install "${debian_jupyter[@]}"
  fi
fi

if [ -n "$SPARK" ]; then
  # Spark 4 (issue 19): pyspark with `pip install --target`, so the folder holds pyspark and py4j only and can be
  # put on a runtime's PYTHONPATH whatever its own environment is. About 500 MB; reinstalled only when the pin changes.
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  SPARK_DIR="${NBHUB_SPARK_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/nbhub/spark}"
  spark_stamp="$SPARK_DIR/.nbhub-requirements"
  spark_want=$(sha256sum < scripts/requirements/spark.txt | cut -d' ' -f1)
  if [ "$(cat "$spark_stamp" 2>/dev/null)" != "$spark_want" ]; then
    echo "installing Spark (pyspark, pinned in scripts/requirements/spark.txt) into $SPARK_DIR" >&2
    rm -rf "$SPARK_DIR"
    python3 -m pip install -q --disable-pip-version-check --no-deps --target "$SPARK_DIR" -r scripts/requirements/spark.txt
    echo "$spark_want" > "$spark_stamp"
  fi
fi

if [ -n "$TEST" ]; then
  # Web apps that are not Jupyter (Streamlit, butterfly), run by the app tests inside runtimes: their own
  # environment beside the runtimes', reinstalled only when the pins change.
  APPS_ENV="${NBHUB_TEST_APPS_ENV:-${XDG_DATA_HOME:-$HOME/.local/share}/nbhub/apps}"
  apps_stamp="$APPS_ENV/.nbhub-requirements"
  apps_want=$(sha256sum < scripts/requirements/apps.txt | cut -d' ' -f1)
  if [ "$(cat "$apps_stamp" 2>/dev/null)" != "$apps_want" ]; then
    echo "installing the test apps (Streamlit, butterfly) into $APPS_ENV" >&2
    python3 -m venv --clear "$APPS_ENV"
    "$APPS_ENV/bin/pip" install -q --disable-pip-version-check -r scripts/requirements/apps.txt
    echo "$apps_want" > "$apps_stamp"
  fi

  # schemathesis (issue 16), run by test/schemathesis.e2e.test.ts against the hub's OpenAPI document: its own
  # environment beside the others, reinstalled only when the pin changes.
  ST_ENV="${NBHUB_TEST_SCHEMATHESIS_ENV:-${XDG_DATA_HOME:-$HOME/.local/share}/nbhub/schemathesis}"
  st_stamp="$ST_ENV/.nbhub-requirements"
  st_want=$(sha256sum < scripts/requirements/schemathesis.txt | cut -d' ' -f1)
  if [ "$(cat "$st_stamp" 2>/dev/null)" != "$st_want" ]; then
    echo "installing schemathesis into $ST_ENV" >&2
    python3 -m venv --clear "$ST_ENV"
    "$ST_ENV/bin/pip" install -q --disable-pip-version-check -r scripts/requirements/schemathesis.txt
    echo "$st_want" > "$st_stamp"
  fi

  # The S3-compatible object store the Spark job tests upload to: versitygw (Apache-2.0, one Go binary built from
  # the module proxy, a posix backend that serves a plain folder). MinIO's community edition is source only and
  # AGPL; SeaweedFS is far bigger. Pinned in scripts/requirements/versitygw.txt; rebuilt only when the pin changes.
  BIN_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/nbhub/bin"
  gw_stamp="$BIN_DIR/.versitygw-version"
  gw_want=$(tr -d '[:space:]' < scripts/requirements/versitygw.txt)
  if [ "$(cat "$gw_stamp" 2>/dev/null)" != "$gw_want" ] || [ ! -x "$BIN_DIR/versitygw" ]; then
    command -v go >/dev/null || apt_install golang-go
    echo "building versitygw ($gw_want) into $BIN_DIR (Go module proxy; a few minutes)" >&2
    mkdir -p "$BIN_DIR"
    GOBIN="$BIN_DIR" go install "$gw_want"
    echo "$gw_want" > "$gw_stamp"
  fi

  # The Kubernetes control plane of the kube tests (kube-apiserver, controller manager, scheduler, etcd), built
  # from the Go module proxy into ~/.local/share/nbhub/kube-bin (cached: a second run does nothing; the first
  # took 7 min on 2 cores here, plus the module downloads). The node is the process kubelet (test/kube/), which needs unshare and
  # nsenter (util-linux) and openssl.
  command -v go >/dev/null || apt_install golang-go
  command -v openssl >/dev/null || apt_install openssl
  command -v unshare >/dev/null && command -v nsenter >/dev/null || apt_install util-linux
  scripts/kube-local.sh build

  # helm, for the chart's tests (test/helm.e2e.test.ts: lint, template): built from the Go module proxy like
  # versitygw, the version stamped in (go install leaves it at "v4.3"). Rebuilt only when the pin changes.
  helm_stamp="$BIN_DIR/.helm-version"
  helm_want=$(tr -d '[:space:]' < scripts/requirements/helm.txt)
  if [ "$(cat "$helm_stamp" 2>/dev/null)" != "$helm_want" ] || [ ! -x "$BIN_DIR/helm" ]; then
    command -v go >/dev/null || apt_install golang-go
    echo "building helm ($helm_want) into $BIN_DIR (Go module proxy; a few minutes)" >&2
    mkdir -p "$BIN_DIR"
    GOBIN="$BIN_DIR" go install -ldflags "-s -X helm.sh/helm/v4/internal/version.version=${helm_want##*@}" "$helm_want"
    echo "$helm_want" > "$helm_stamp"
  fi

  # PostgreSQL for the store contract suite: create the cluster on a fresh machine, start it if it is down.
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    [ -d "/etc/postgresql/$version/main" ] || $SUDO pg_createcluster "$version" main >/dev/null
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi

# npm ci: exactly the committed lock file. (Regenerate the lock from scratch, `rm -rf node_modules
# package-lock.json && npm install`, or npm drops rollup's optional packages for other platforms: npm/cli#4828.)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
