#!/usr/bin/env bash
# Builds one image per entrypoint from images/Dockerfile and tags it
# ${IMAGE_REGISTRY}/<name>:<package version>.
#
#   images/build.sh [options] [-- extra flags for the build command]
#
#   --tool T        docker | podman | buildah (default: $CONTAINER_TOOL, else the first
#                   that works here: docker with a running daemon, podman, buildah)
#   --only NAME     build only this entrypoint (repeatable)
#   --prebuilt      copy the already-built packages/<name>/dist bundle (target
#                   runtime-prebuilt) instead of the two-stage build with npm ci
#   --base IMAGE    runtime base image (default: the pinned distroless nodejs24 :nonroot)
#   --export DIR    also write DIR/<name>-<version>.oci.tar (OCI archive)
#   --bundles-from DIR  take packages/<name>/{package.json,dist/<name>.cjs} for --prebuilt
#                   from DIR instead of this repository
#   --policy FILE   signature policy for buildah/podman (instead of /etc/containers/policy.json)
#
# Environment: IMAGE_REGISTRY (default ghcr.io/vault-raft-backup), IMAGE_SOURCE (the
# org.opencontainers.image.source label). Prints one line per image: <tag> <image id>.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
all_names=(approle-login kubernetes-login snapshot-taker s3-uploader restore-fetcher restore-runner)
registry="${IMAGE_REGISTRY:-ghcr.io/vault-raft-backup}"
source_url="${IMAGE_SOURCE:-https://github.com/vault-raft-backup/vault-raft-backup}"
tool="${CONTAINER_TOOL:-}"
bundle_root="$repo_root" names=() prebuilt=false base="" export_dir="" policy=() extra=()

die() { echo "images/build.sh: $*" >&2; exit 2; }

while (($#)); do
  case "$1" in
    --tool) tool="$2"; shift 2 ;;
    --only) names+=("$2"); shift 2 ;;
    --prebuilt) prebuilt=true; shift ;;
    --bundles-from) bundle_root="$(cd "$2" && pwd)"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --export) export_dir="$2"; shift 2 ;;
    --policy) policy=(--signature-policy "$2"); shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done

# Installed is not enough: the docker CLI is often present without a daemon to talk to.
# A tool is used when this cheap call succeeds.
probe_of() {
  case "$1" in
    docker | podman) echo "$1 info" ;;
    buildah) echo "buildah version" ;;
  esac
}

if [[ -z "$tool" ]]; then
  failed=()
  for candidate in docker podman buildah; do
    command -v "$candidate" >/dev/null || continue
    # word splitting of the probe is intended: "docker info" is a command and its argument
    if $(probe_of "$candidate") >/dev/null 2>&1; then tool="$candidate"; break; fi
    failed+=("'$(probe_of "$candidate")'")
  done
  if [[ -z "$tool" ]] && ((${#failed[@]})); then
    die "no working container tool (${failed[*]} failed: is the docker daemon running?); choose one with --tool or CONTAINER_TOOL"
  fi
fi
case "$tool" in
  docker | podman | buildah) command -v "$tool" >/dev/null || die "$tool not found" ;;
  "") die "no container tool found (install docker, or buildah and podman)" ;;
  *) die "unsupported tool $tool (docker, podman or buildah)" ;;
esac
((${#names[@]})) || names=("${all_names[@]}")
for name in "${names[@]}"; do
  [[ " ${all_names[*]} " == *" $name "* ]] || die "unknown entrypoint $name (one of: ${all_names[*]})"
done

revision="$(git -C "$repo_root" rev-parse HEAD 2>/dev/null || echo unknown)"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# A staged context keeps node_modules, dist leftovers and .git out of the build:
# only what git would track (committed or not yet) for the full build, only the
# bundle for --prebuilt.
stage_context() {
  local name="$1" ctx="$workdir/context-$name"
  mkdir -p "$ctx"
  if $prebuilt; then
    local bundle="packages/$name/dist/$name.cjs"
    [[ -f "$bundle_root/$bundle" ]] || die "missing $bundle (run: npx turbo run build)"
    install -D -m 0644 "$bundle_root/$bundle" "$ctx/$bundle"
  else
    # --ignore-failed-read: files deleted in the work tree but still in the index.
    (cd "$repo_root" && git ls-files -z --cached --others --exclude-standard |
      tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$ctx"
  fi
  echo "$ctx"
}

build_one() {
  local name="$1" version ctx tag target=runtime
  version="$(node -p "require('$bundle_root/packages/$name/package.json').version")"
  tag="$registry/$name:$version"
  $prebuilt && target=runtime-prebuilt
  ctx="$(stage_context "$name")"
  local args=(--file "$repo_root/images/Dockerfile" --target "$target" --tag "$tag"
    --build-arg "PACKAGE=$name" --build-arg "VERSION=$version"
    --build-arg "REVISION=$revision" --build-arg "SOURCE=$source_url")
  [[ -n "$base" ]] && args+=(--build-arg "BASE_IMAGE=$base")
  case "$tool" in
    docker) docker build --quiet "${args[@]}" "${extra[@]}" "$ctx" >/dev/null ;;
    podman | buildah)
      "$tool" build --quiet --format oci "${policy[@]}" "${args[@]}" "${extra[@]}" "$ctx" >/dev/null ;;
  esac
  rm -rf "$ctx"
  [[ -n "$export_dir" ]] && export_one "$tag" "$export_dir/$name-$version.oci.tar"
  echo "$tag $(image_id "$tag")"
}

export_one() {
  local tag="$1" file="$2"
  mkdir -p "$(dirname "$file")"
  rm -f "$file"
  case "$tool" in
    # docker save writes an OCI image layout since Docker 25.
    docker) docker save --output "$file" "$tag" ;;
    podman) podman save --quiet --format oci-archive --output "$file" "$tag" ;;
    buildah) buildah push --quiet "${policy[@]}" "$tag" "oci-archive:$file:$tag" ;;
  esac
}

image_id() {
  case "$tool" in
    docker | podman) "$tool" image inspect --format '{{.Id}}' "$1" ;;
    buildah) buildah inspect --type image --format '{{.FromImageID}}' "$1" ;;
  esac
}

for name in "${names[@]}"; do build_one "$name"; done
