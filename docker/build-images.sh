#!/usr/bin/env bash
# Builds the image of every Mailroom service from docker/Dockerfile.
#
#   docker/build-images.sh                       # package the jars, build mailroom/<service>:<project version>
#   docker/build-images.sh --skip-package        # the jars are already built
#   docker/build-images.sh --registry ghcr.io/acme/mailroom --tag 0.1.0 --push
#   docker/build-images.sh --platform linux/amd64,linux/arm64 --registry … --push   # multi-arch, with buildx
#   docker/build-images.sh --dry-run             # print the commands only (used by the deployment tests)
#
# The image name is <registry>/<service>; the default registry `mailroom` and the default tag (the Maven
# project version) are what docker-compose.yml and k8s/base refer to.
set -euo pipefail
cd "$(dirname "$0")/.."

# service module and its HTTP (actuator) port: the same table as the services' application.yml
SERVICES=(
  "mailbox-api 8080"
  "smtp-ingress 8081"
  "delivery-service 8082"
  "imap-gateway 8083"
  "pop3-gateway 8084"
)

project_version() {
  sed -n '/<artifactId>mailroom<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;}' pom.xml | head -1
}

registry=mailroom
tag=""
package=true
push=false
platform=""
dry_run=false
only=()

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry="${2:?--registry needs a value}"; shift 2 ;;
    --tag) tag="${2:?--tag needs a value}"; shift 2 ;;
    --skip-package) package=false; shift ;;
    --push) push=true; shift ;;
    --platform) platform="${2:?--platform needs a value}"; shift 2 ;;
    --only) only+=("${2:?--only needs a service name}"); shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
done

[ -n "$tag" ] || tag="$(project_version)"
if [ -z "$tag" ] || [ "$tag" = "latest" ]; then
  echo "refusing to build without an exact tag (got '${tag}')" >&2
  exit 2
fi

run() {
  if $dry_run; then
    printf '%q ' "$@"; printf '\n'
  else
    "$@"
  fi
}

if $package; then
  if [ -z "${JAVA_HOME:-}" ] && [ -f bin/find-jdk.sh ]; then
    # shellcheck source=../bin/find-jdk.sh
    . bin/find-jdk.sh
    mailroom_find_jdk || true
  fi
  run ./mvnw -B -q -ntp -DskipTests package
fi

for entry in "${SERVICES[@]}"; do
  read -r module port <<<"$entry"
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" ${module} "* ]]; then
    continue
  fi
  image="${registry}/${module}:${tag}"
  args=(--file docker/Dockerfile --build-arg "MODULE=${module}" --build-arg "HTTP_PORT=${port}"
        --build-arg "VERSION=${tag}" --tag "${image}")
  if [ -n "$platform" ]; then
    # A multi-platform image cannot be loaded into the local engine: buildx pushes it (or keeps it in its cache).
    extra=()
    if $push; then extra+=(--push); fi
    run docker buildx build --platform "$platform" "${args[@]}" "${extra[@]}" .
  else
    run docker build "${args[@]}" .
    if $push; then run docker push "${image}"; fi
  fi
done
