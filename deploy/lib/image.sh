# shellcheck shell=bash
# Sourced by deploy/dev: `deploy/dev image`, caselog's image made from the binaries this
# machine built (deploy/container/Containerfile.local), and podman set up to run it.
#
# deploy/container/Containerfile is the image a deployment builds; it starts from
# docker.io's rust and debian images, which a machine without Docker Hub cannot pull.
# This image holds the same four programs, built here, on an empty base.

LOCAL_IMAGE=${CASELOG_LOCAL_IMAGE:-localhost/caselog:dev}
IMAGE_PROGRAMS=(command-service projection-service query-service caselog-migrate)

# podman from Debian, with runc and cgroupfs: they work both on a systemd host with
# cgroup v2 and inside a container on a hybrid hierarchy, where crun and the systemd
# cgroup manager refuse. Open-file and process limits are 16384 or the caller's hard
# limit if lower: podman's default (the host's maximum) needs CAP_SYS_RESOURCE, which a
# container host may not have. The settings live in .dev/containers.conf; nothing
# system-wide changes.
ensure_podman() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  command -v ldd >/dev/null || missing+=(libc-bin)
  command -v objcopy >/dev/null || missing+=(binutils)
  [ -f /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  local nofile nproc
  nofile=$(ulimit -Hn); { [ "$nofile" = unlimited ] || [ "$nofile" -gt 16384 ]; } && nofile=16384
  nproc=$(ulimit -Hu); { [ "$nproc" = unlimited ] || [ "$nproc" -gt 16384 ]; } && nproc=16384
  mkdir -p "$DEV"
  cat >"$DEV/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  export CONTAINERS_CONF="$DEV/containers.conf"
}

# The build context: rootfs/ with the programs, every shared library they link and the
# loader at the paths ldd reports, the CA bundle, and the user the image runs as.
stage_image_root() {
  local context="$DEV/image" root="$DEV/image/rootfs"
  rm -rf "$context"
  mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs"
  local program library
  for program in "${IMAGE_PROGRAMS[@]}"; do
    [ -x "$ROOT/target/debug/$program" ] || die "target/debug/$program is missing (cargo build --workspace --bins)"
    # Debug information stays on the build machine: the image carries symbols only.
    objcopy --strip-debug "$ROOT/target/debug/$program" "$root/usr/local/bin/$program"
  done
  for library in $(ldd "${IMAGE_PROGRAMS[@]/#/$ROOT/target/debug/}" | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
  done
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/:/sbin/nologin\ncaselog:x:10001:10001:caselog:/:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\ncaselog:x:10001:\n' >"$root/etc/group"
  cp "$ROOT/deploy/container/Containerfile.local" "$context/Containerfile"
}

build_local_image() {
  ensure_podman
  stage_image_root
  say "podman build $LOCAL_IMAGE (deploy/container/Containerfile.local)"
  podman build -q -f "$DEV/image/Containerfile" -t "$LOCAL_IMAGE" "$DEV/image" >/dev/null
  # The previous build's layers, now untagged.
  podman image prune -f >/dev/null
  rm -rf "$DEV/image"
}

cmd_image() {
  build_services
  build_local_image
  local size
  size=$(podman image inspect --format '{{.Size}}' "$LOCAL_IMAGE")
  cat <<USAGE
$LOCAL_IMAGE built ($((size / 1024 / 1024)) MiB). Run a program from it, for example
against the local stack (deploy/dev up), on another port:

  CONTAINERS_CONF=$DEV/containers.conf podman run --rm --network host \\
    -e CASELOG_ENV=dev -e CASELOG_DATABASE_URL=$CASELOG_DATABASE_URL \\
    -e CASELOG_NATS_URL=$CASELOG_NATS_URL \\
    -e CASELOG_QUERY_ADDR=127.0.0.1:9082 $LOCAL_IMAGE query-service
USAGE
}
