#!/usr/bin/env bash
# The project's Kubernetes control plane on this machine, for the tests and for trying nbhub on Kubernetes:
# etcd (embedded etcd server), kube-apiserver, kube-controller-manager and kube-scheduler, all real, built from
# the Go module proxy (k8s.io/kubernetes v1.37.2, scripts/kube-local/go.mod), all on loopback, with
# certificates made here. The only stand-in is the node: the process kubelet (test/kube/process-kubelet.ts)
# runs each pod's containers as local processes.
#
#   scripts/kube-local.sh build              build the binaries (cached; a second run does nothing)
#   scripts/kube-local.sh bin                print where the binaries are (or would be) cached
#   scripts/kube-local.sh up [--dir DIR] [--no-node] [--node NAME] [--cpu N] [--memory Q] [--pods N]
#                                            start it; prints the kubeconfig's path on the last line
#   scripts/kube-local.sh down [--dir DIR]   stop it (and every pod the process kubelet runs)
#   scripts/kube-local.sh restart-apiserver [--dir DIR]
#                                            stop kube-apiserver and start it again with the same flags
#   scripts/kube-local.sh node-stop [--dir DIR] [--kill]   stop the process kubelet (--kill: SIGKILL, its pods
#                                            keep running as on a node that lost its kubelet); node-start starts it
#   NBHUB_KUBE_APISERVER_FLAGS="..."         extra kube-apiserver flags for `up`
#   NBHUB_KUBELET_PULL_DELAY_MS, NBHUB_KUBELET_BACKOFF_BASE_MS   the process kubelet's image pull time and
#                                            restart back-off base (a kubelet's is 10 s)
#
# DIR defaults to ~/.local/share/nbhub/kube-local. Point nbhub at it with
#   NBHUB_SPAWNER=kubernetes NBHUB_KUBERNETES_KUBECONFIG=DIR/kubeconfig nbhub start
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MOD="$ROOT/scripts/kube-local"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}/nbhub"
# The binaries live outside the repository, keyed by what they are built from, so a second clone reuses them.
KEY=$(cat "$MOD/go.mod" "$MOD/go.sum" "$MOD/etcd/main.go" | sha256sum | cut -c1-16)
BIN="${NBHUB_KUBE_BIN:-$DATA/kube-bin/$KEY}"
CMD="${1:-}"; shift || true
DIR="$DATA/kube-local"; NODE="node-1"; WITH_NODE=1; KILL=""; CPU=4; MEMORY=16Gi; PODS=110
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --node) NODE="$2"; shift 2 ;;
    --no-node) WITH_NODE=""; shift ;;
    --cpu) CPU="$2"; shift 2 ;;
    --memory) MEMORY="$2"; shift 2 ;;
    --pods) PODS="$2"; shift 2 ;;
    --kill) KILL=1; shift ;;
    *) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done

build() {
  if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ] && [ -x "$BIN/kube-scheduler" ] && [ -x "$BIN/etcd" ]; then return; fi
  echo "building the control plane (k8s.io/kubernetes v1.37.2, etcd) into $BIN: about 7 minutes on 2 cores plus the module downloads, once" >&2
  mkdir -p "$BIN.tmp"
  (cd "$MOD" && go build -trimpath -ldflags=-s -o "$BIN.tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler ./etcd)
  rm -rf "$BIN" && mv "$BIN.tmp" "$BIN"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

certs() {
  local d="$DIR/pki"
  [ -f "$d/admin.crt" ] && return
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" -days 3650 -subj "/CN=nbhub-kube-local-ca" 2>/dev/null
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  # name subject [extensions]
  sign() {
    openssl req -newkey rsa:2048 -nodes -keyout "$d/$1.key" -out "$d/$1.csr" -subj "$2" 2>/dev/null
    printf '%s\n' "${3:-extendedKeyUsage=clientAuth}" > "$d/$1.ext"
    openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -out "$d/$1.crt" -days 3650 -extfile "$d/$1.ext" 2>/dev/null
  }
  sign apiserver "/CN=kube-apiserver" "$(printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth')"
  sign admin "/O=system:masters/CN=kubernetes-admin"
  sign controller-manager "/CN=system:kube-controller-manager"
  sign scheduler "/CN=system:kube-scheduler"
}

kubeconfig() { # file user
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kube-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $DIR/pki/ca.crt
users:
- name: $2
  user:
    client-certificate: $DIR/pki/$2.crt
    client-key: $DIR/pki/$2.key
contexts:
- name: kube-local
  context: {cluster: kube-local, user: $2, namespace: default}
current-context: kube-local
EOF
}

start() { # name command...
  local name="$1"; shift
  nohup "$@" > "$DIR/logs/$name.log" 2>&1 &
  echo "$!" > "$DIR/pids/$name"
}

# Starts kube-apiserver from DIR/kube-apiserver.cmd and waits until it is ready (exits if it dies).
start_apiserver() {
  local cmd; cmd=$(cat "$DIR/kube-apiserver.cmd")
  eval "start kube-apiserver $cmd"
  for _ in $(seq 1 120); do
    curl -sk --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/admin.crt" --key "$DIR/pki/admin.key" "https://127.0.0.1:$(cat "$DIR/api-port")/readyz" 2>/dev/null | grep -q '^ok' && return 0
    if ! kill -0 "$(cat "$DIR/pids/kube-apiserver")" 2>/dev/null; then
      grep -E '^[EF][0-9]{4}' "$DIR/logs/kube-apiserver.log" | tail -n 5 >&2; tail -n 5 "$DIR/logs/etcd.log" >&2
      echo "kube-apiserver exited (logs: $DIR/logs/)" >&2; down; exit 1
    fi
    sleep 0.5
  done
}

# The API server stopped and started again on the same port with the same flags, everything else left running.
restart_apiserver() {
  [ -f "$DIR/kube-apiserver.cmd" ] || { echo "no cluster in $DIR" >&2; exit 1; }
  local f="$DIR/pids/kube-apiserver" pid
  if [ -f "$f" ]; then
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  mv "$DIR/logs/kube-apiserver.log" "$DIR/logs/kube-apiserver.$(date +%s).log"
  start_apiserver
}

start_node() {
  start process-kubelet node --import tsx "$ROOT/test/kube/process-kubelet.ts" $(cat "$DIR/node-args")
}

up() {
  build
  if [ -f "$DIR/pids/kube-apiserver" ] && kill -0 "$(cat "$DIR/pids/kube-apiserver")" 2>/dev/null; then
    echo "already up" >&2; echo "$DIR/kubeconfig"; return
  fi
  down # whatever a failed start left behind
  mkdir -p "$DIR/logs" "$DIR/pids"
  certs
  ETCD_PORT=$(free_port); PEER_PORT=$(free_port); API_PORT=$(free_port); CM_PORT=$(free_port); SCHED_PORT=$(free_port)
  echo "$API_PORT" > "$DIR/api-port"
  kubeconfig "$DIR/kubeconfig" admin
  kubeconfig "$DIR/controller-manager.kubeconfig" controller-manager
  kubeconfig "$DIR/scheduler.kubeconfig" scheduler
  start etcd "$BIN/etcd" --data-dir "$DIR/etcd" --listen-client "http://127.0.0.1:$ETCD_PORT" --listen-peer "http://127.0.0.1:$PEER_PORT"
  # Kept in DIR so that `restart-apiserver` starts it again exactly as it was (the tests' "API server restarted").
  # NBHUB_KUBE_APISERVER_FLAGS adds flags (e.g. --watch-cache=false --etcd-compaction-interval=2s for 410 Gone).
  # shellcheck disable=SC2086
  printf '%q ' "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --tls-cert-file "$DIR/pki/apiserver.crt" --tls-private-key-file "$DIR/pki/apiserver.key" --client-ca-file "$DIR/pki/ca.crt" \
    --service-account-key-file "$DIR/pki/sa.pub" --service-account-signing-key-file "$DIR/pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local --api-audiences https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range 10.96.0.0/16 --authorization-mode Node,RBAC --allow-privileged=true \
    --endpoint-reconciler-type none --kubelet-preferred-address-types InternalIP \
    --profiling=false --v=1 ${NBHUB_KUBE_APISERVER_FLAGS:-} > "$DIR/kube-apiserver.cmd"
  start_apiserver
  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$DIR/controller-manager.kubeconfig" --authorization-kubeconfig "$DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$CM_PORT" --leader-elect=false \
    --service-account-private-key-file "$DIR/pki/sa.key" --root-ca-file "$DIR/pki/ca.crt" \
    --cluster-signing-cert-file "$DIR/pki/ca.crt" --cluster-signing-key-file "$DIR/pki/ca.key" \
    --use-service-account-credentials=true --v=1
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig "$DIR/scheduler.kubeconfig" --authorization-kubeconfig "$DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false --v=1
  echo "--kubeconfig $DIR/kubeconfig --node $NODE --dir $DIR/node-$NODE --cpu $CPU --memory $MEMORY --pods $PODS" > "$DIR/node-args"
  if [ -n "$WITH_NODE" ]; then start_node; fi
  # Pods are refused until the controller-manager has made the namespace's default ServiceAccount: up means usable.
  for _ in $(seq 1 60); do
    curl -sf --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/admin.crt" --key "$DIR/pki/admin.key" \
      "https://127.0.0.1:$(cat "$DIR/api-port")/api/v1/namespaces/default/serviceaccounts/default" >/dev/null 2>&1 && break
    sleep 0.5
  done
  echo "$DIR/kubeconfig"
}

down() {
  [ -d "$DIR/pids" ] || return 0
  # The node first (it ends its pods' processes), then the control plane, the store last.
  for name in process-kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do
    f="$DIR/pids/$name"; [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  # Pods of a process kubelet that was killed (node-stop --kill) still run: end them (pid files, checked
  # against the pod's cgroup, since pids are reused).
  for f in "$DIR"/node-*/pods/*/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f"); uid=$(basename "$(dirname "$f")")
    grep -q "pod$uid" "/proc/$pid/cgroup" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
  done
}

stop_one() { # name [signal]
  local f="$DIR/pids/$1" pid; [ -f "$f" ] || return 0
  pid=$(cat "$f")
  kill "-${2:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$f"
}

case "$CMD" in
  build) build ;;
  bin) echo "$BIN" ;;
  node-stop) stop_one process-kubelet "$([ -n "$KILL" ] && echo KILL || echo TERM)" ;;
  node-start) start_node ;;
  up) up ;;
  down) down ;;
  restart-apiserver) restart_apiserver ;;
  *) echo "usage: $0 build|bin|up|down|restart-apiserver|node-stop|node-start [--dir DIR] (see the head of this file)" >&2; exit 2 ;;
esac
