# deploy/dev cluster up|down|status: caselog as it runs beyond one machine, on this one.
# A three-node JetStream cluster (deploy/nats/cluster.conf, the deployment's own
# configuration) on loopback ports, the stream and its consumers replicated on every
# node, and several instances of each service against it and the local Postgres (a
# database of its own, caselog_cluster, so the one-node stack is left alone).
# Sourced by deploy/dev; every number below is a setting.

CLUSTER_NODES=${CASELOG_CLUSTER_NODES:-3}
CLUSTER_REPLICAS=${CASELOG_CLUSTER_REPLICAS:-3}
CLUSTER_INSTANCES=${CASELOG_CLUSTER_INSTANCES:-2}
# Node i listens for clients on NATS_PORT+i, for routes on ROUTE_PORT+i, monitoring on
# MONITOR_PORT+i; instance i of a service on SERVICE_PORT + 10 (command), 20 (query)
# or 30 (projection) + i.
CLUSTER_NATS_PORT=${CASELOG_CLUSTER_NATS_PORT:-54230}
CLUSTER_ROUTE_PORT=${CASELOG_CLUSTER_ROUTE_PORT:-56230}
CLUSTER_MONITOR_PORT=${CASELOG_CLUSTER_MONITOR_PORT:-58230}
CLUSTER_SERVICE_PORT=${CASELOG_CLUSTER_SERVICE_PORT:-8100}
CLUSTER_DATABASE=${CASELOG_CLUSTER_DATABASE:-caselog_cluster}
CLUSTER_DIR="$DEV/cluster"

cluster_check_settings() {
  [[ $CLUSTER_NODES =~ ^[0-9]+$ ]] && [ "$CLUSTER_NODES" -ge 1 ] && [ "$CLUSTER_NODES" -le 9 ] \
    || die "CASELOG_CLUSTER_NODES must be 1 to 9"
  [[ $CLUSTER_INSTANCES =~ ^[0-9]+$ ]] && [ "$CLUSTER_INSTANCES" -ge 1 ] && [ "$CLUSTER_INSTANCES" -le 9 ] \
    || die "CASELOG_CLUSTER_INSTANCES must be 1 to 9"
  [[ $CLUSTER_REPLICAS =~ ^[0-9]+$ ]] && [ "$CLUSTER_REPLICAS" -ge 1 ] && [ "$CLUSTER_REPLICAS" -le "$CLUSTER_NODES" ] \
    || die "CASELOG_CLUSTER_REPLICAS must be 1 to CASELOG_CLUSTER_NODES ($CLUSTER_NODES)"
  [[ $CLUSTER_DATABASE =~ ^[a-z_][a-z0-9_]*$ ]] || die "CASELOG_CLUSTER_DATABASE must be a plain lower-case name"
}

cluster_nats_urls() {
  local urls=() i
  for i in $(seq 1 "$CLUSTER_NODES"); do urls+=("nats://127.0.0.1:$((CLUSTER_NATS_PORT + i))"); done
  (IFS=,; echo "${urls[*]}")
}

cluster_service_port() {
  case $1 in
    command-service) echo $((CLUSTER_SERVICE_PORT + 10 + $2)) ;;
    query-service) echo $((CLUSTER_SERVICE_PORT + 20 + $2)) ;;
    projection-service) echo $((CLUSTER_SERVICE_PORT + 30 + $2)) ;;
  esac
}

cluster_database_url() { echo "postgres://$1@127.0.0.1:$PG_PORT/$CLUSTER_DATABASE"; }

# The deployment's configuration takes every password from the environment: here the
# local stack's published ones (CASELOG_ENV=dev) and this machine's provisioner's.
cluster_nats_passwords() {
  export CASELOG_NATS_PROVISIONER_PASSWORD CASELOG_NATS_RELAY_PASSWORD=caselog-local-relay \
    CASELOG_NATS_PROJECTION_PASSWORD=caselog-local-projection \
    CASELOG_NATS_QUERY_PASSWORD=caselog-local-query \
    CASELOG_NATS_ANALYTICS_PASSWORD=caselog-local-analytics \
    CASELOG_NATS_CALLOUT_PASSWORD=caselog-local-callout \
    CASELOG_NATS_CALLOUT_ISSUER=AAQWRO35EBO372DHWCQZKXZMQ4TC43EXBADKFCHWLEEQ6K2VOFI6DZNG
  CASELOG_NATS_PROVISIONER_PASSWORD=$(provisioner_password)
}

cluster_node_ready() {
  curl -sf "http://127.0.0.1:$((CLUSTER_MONITOR_PORT + $1))/healthz?js-enabled-only=true" >/dev/null 2>&1
}

# The JetStream meta leader this node knows of (empty while there is none).
cluster_meta_leader() {
  curl -sf "http://127.0.0.1:$((CLUSTER_MONITOR_PORT + $1))/jsz" 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin).get("meta_cluster", {}).get("leader", ""))' 2>/dev/null
}

cluster_start_nodes() {
  ensure_nats
  cluster_nats_passwords
  mkdir -p "$CLUSTER_DIR/logs" "$CLUSTER_DIR/run"
  local i j routes
  for i in $(seq 1 "$CLUSTER_NODES"); do
    if cluster_node_ready "$i"; then
      [ -f "$CLUSTER_DIR/run/nats-$i.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/run/nats-$i.pid")" 2>/dev/null \
        || die "something this checkout did not start serves 127.0.0.1:$((CLUSTER_MONITOR_PORT + i)); set CASELOG_CLUSTER_MONITOR_PORT"
      continue
    fi
    routes=()
    for j in $(seq 1 "$CLUSTER_NODES"); do
      [ "$j" = "$i" ] || routes+=("nats://127.0.0.1:$((CLUSTER_ROUTE_PORT + j))")
    done
    mkdir -p "$CLUSTER_DIR/nats-$i"
    say "starting nats-server node caselog-$i on 127.0.0.1:$((CLUSTER_NATS_PORT + i))"
    setsid "$NATS_BIN" -c "$ROOT/deploy/nats/cluster.conf" -n "caselog-$i" \
      -a 127.0.0.1 -p $((CLUSTER_NATS_PORT + i)) -m $((CLUSTER_MONITOR_PORT + i)) \
      --cluster_name caselog --cluster "nats://127.0.0.1:$((CLUSTER_ROUTE_PORT + i))" \
      --routes "$(IFS=,; echo "${routes[*]}")" \
      -sd "$CLUSTER_DIR/nats-$i" -P "$CLUSTER_DIR/run/nats-$i.pid" \
      >>"$CLUSTER_DIR/logs/nats-$i.log" 2>&1 </dev/null &
  done
  for i in $(seq 1 "$CLUSTER_NODES"); do
    for _ in $(seq 1 60); do cluster_node_ready "$i" && break; sleep 0.5; done
    cluster_node_ready "$i" || die "nats-server node $i did not start; see $CLUSTER_DIR/logs/nats-$i.log"
  done
  # Streams can be created once the nodes have elected a JetStream meta leader.
  for _ in $(seq 1 60); do [ -n "$(cluster_meta_leader 1)" ] && return; sleep 0.5; done
  die "the JetStream cluster elected no meta leader; see $CLUSTER_DIR/logs/"
}

cluster_prepare_database() {
  if ! "$PG_BIN/psql" -qAt "$ADMIN_DATABASE_URL" -c "SELECT 1 FROM pg_database WHERE datname = '$CLUSTER_DATABASE'" | grep -q 1; then
    "$PG_BIN/psql" -q "$ADMIN_DATABASE_URL" -c "CREATE DATABASE $CLUSTER_DATABASE" >/dev/null
  fi
  say "caselog-migrate on $CLUSTER_DATABASE"
  CASELOG_DATABASE_URL=$(cluster_database_url caselog) "$ROOT/target/debug/caselog-migrate" roles >/dev/null
  "$PG_BIN/psql" -q "$ADMIN_DATABASE_URL" -c "ALTER DATABASE $CLUSTER_DATABASE OWNER TO caselog_owner" >/dev/null
  CASELOG_DATABASE_URL=$(cluster_database_url caselog) "$ROOT/target/debug/caselog-migrate" up >/dev/null
}

cluster_provision() {
  say "provisioning the stream and consumers with $CLUSTER_REPLICAS replicas"
  local attempt
  for attempt in $(seq 1 10); do
    if CASELOG_NATS_URL=$(cluster_nats_urls) CASELOG_NATS_REPLICAS=$CLUSTER_REPLICAS \
        CASELOG_NATS_USER=provisioner CASELOG_NATS_PASSWORD=$(provisioner_password) \
        "$ROOT/target/debug/command-service" provision-nats >/dev/null 2>>"$CLUSTER_DIR/logs/provision.log"; then
      return
    fi
    sleep "$attempt"
  done
  die "provisioning failed; see $CLUSTER_DIR/logs/provision.log"
}

cluster_instance_env() {
  local service=$1 instance=$2 variable
  case $service in
    command-service) variable=CASELOG_COMMAND_ADDR ;;
    query-service) variable=CASELOG_QUERY_ADDR ;;
    projection-service) variable=CASELOG_PROJECTION_ADDR ;;
  esac
  echo "$variable=127.0.0.1:$(cluster_service_port "$service" "$instance")"
}

cluster_start_services() {
  local service i pidfile
  for service in "${SERVICES[@]}"; do
    for i in $(seq 1 "$CLUSTER_INSTANCES"); do
      pidfile="$CLUSTER_DIR/run/$service-$i.pid"
      [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && continue
      env "$(cluster_instance_env "$service" "$i")" \
        CASELOG_DATABASE_URL="$(cluster_database_url caselog_runtime)" \
        CASELOG_NATS_URL="$(cluster_nats_urls)" \
        OTEL_SERVICE_NAME="$service-$i" \
        setsid "$ROOT/target/debug/$service" >>"$CLUSTER_DIR/logs/$service-$i.log" 2>&1 </dev/null &
      echo $! >"$pidfile"
    done
  done
  for service in "${SERVICES[@]}"; do
    for i in $(seq 1 "$CLUSTER_INSTANCES"); do
      local url="http://127.0.0.1:$(cluster_service_port "$service" "$i")" ready=no
      for _ in $(seq 1 120); do
        if curl -sf "$url/readyz" >/dev/null; then ready=yes; break; fi
        kill -0 "$(cat "$CLUSTER_DIR/run/$service-$i.pid")" 2>/dev/null || break
        sleep 0.5
      done
      [ $ready = yes ] || { tail -n 20 "$CLUSTER_DIR/logs/$service-$i.log" >&2; die "$service instance $i is not ready"; }
    done
  done
}

cluster_up() {
  cluster_check_settings
  ensure_tools
  start_postgres
  build_services
  cluster_start_nodes
  cluster_prepare_database
  cluster_provision
  cluster_start_services
  echo
  echo "caselog's local cluster is up."
  cluster_status
  cat <<EOF

Clients may use any instance; there is no load balancer here. An admin token:
export TOKEN=$(mint_token --tenant "$(cat /proc/sys/kernel/random/uuid)" --user "$(cat /proc/sys/kernel/random/uuid)" --role admin)
EOF
}

cluster_down() {
  local service i
  for service in "${SERVICES[@]}"; do
    for i in $(seq 1 9); do stop_pidfile "$CLUSTER_DIR/run/$service-$i.pid"; done
  done
  for i in $(seq 1 9); do stop_pidfile "$CLUSTER_DIR/run/nats-$i.pid"; done
  say "cluster stopped (its data stays in $CLUSTER_DIR and database $CLUSTER_DATABASE)"
}

cluster_status() {
  local i service url leader
  leader=""
  for i in $(seq 1 "$CLUSTER_NODES"); do
    if cluster_node_ready "$i"; then
      leader=${leader:-$(cluster_meta_leader "$i")}
      printf '%-22s up    nats://127.0.0.1:%s (monitoring http://127.0.0.1:%s)\n' \
        "nats caselog-$i" $((CLUSTER_NATS_PORT + i)) $((CLUSTER_MONITOR_PORT + i))
    else
      printf '%-22s down\n' "nats caselog-$i"
    fi
  done
  echo "jetstream meta leader  ${leader:-none}"
  for i in $(seq 1 "$CLUSTER_NODES"); do
    cluster_node_ready "$i" || continue
    curl -sf "http://127.0.0.1:$((CLUSTER_MONITOR_PORT + i))/jsz?streams=true&consumers=true" 2>/dev/null \
      | CASELOG_NODE="caselog-$i" python3 -c '
import json, os, sys
# A node lists the other peers of each replica group; with itself, the whole group.
def group(cluster):
    nodes = {os.environ["CASELOG_NODE"]} | {r["name"] for r in cluster.get("replicas", [])}
    return "%d replicas on %s, leader %s" % (len(nodes), ", ".join(sorted(nodes)), cluster.get("leader", "none"))
for account in json.load(sys.stdin).get("account_details", []):
    for stream in account.get("stream_detail", []):
        print("stream %s: %s messages, %s" % (stream["name"], stream["state"]["messages"], group(stream["cluster"])))
        for consumer in stream.get("consumer_detail", []):
            print("  consumer %-28s %s" % (consumer["name"], group(consumer["cluster"])))
' 2>/dev/null && break
  done
  for service in "${SERVICES[@]}"; do
    for i in $(seq 1 "$CLUSTER_INSTANCES"); do
      url="http://127.0.0.1:$(cluster_service_port "$service" "$i")"
      if curl -sf "$url/readyz" >/dev/null 2>&1; then
        printf '%-22s ready %s%s\n' "$service $i" "$url" "$(cluster_role "$service" "$url")"
      else
        printf '%-22s down  %s\n' "$service $i" "$url"
      fi
    done
  done
  echo "postgres               $(cluster_database_url caselog_runtime)"
  echo "nats (clients)         $(cluster_nats_urls)"
}

# What this instance does among its replicas.
cluster_role() {
  case $1 in
    command-service)
      curl -sf "$2/v1/relay" | python3 -c 'import json,sys; print("  relay: " + json.load(sys.stdin)["role"])' 2>/dev/null ;;
    projection-service)
      curl -sf "$2/v1/projections" | python3 -c '
import json, sys
mine = [p["name"] for p in json.load(sys.stdin)["projections"] if p.get("role") == "active"]
print("  applies: " + (", ".join(mine) or "none (standby)"))' 2>/dev/null ;;
  esac
}

cmd_cluster() {
  case ${1:-} in
    up) cluster_up ;;
    down) cluster_down ;;
    status) PG_BIN=$(pg_bin_dir); cluster_status ;;
    *) die "usage: deploy/dev cluster up|down|status" ;;
  esac
}
