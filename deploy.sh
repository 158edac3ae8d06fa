#!/usr/bin/env bash
# Builds, pushes and deploys tenant-workflows to Kubernetes. ./deploy.sh --help says how.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
K8S_DIR="$ROOT/k8s"
DOCKER=${DOCKER:-docker}
KUBECTL=${KUBECTL:-kubectl}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-300s}
MIGRATE_TIMEOUT_SECONDS=${MIGRATE_TIMEOUT_SECONDS:-660}
NODE_IMAGE=${NODE_IMAGE:-}

DEPLOYMENT=tenant-workflows
MIGRATION_JOB=tenant-workflows-migrate
# The Secret the pods mount as files in SECRETS_DIR; each key is the file name the config reads.
SECRET=tenant-workflows-secrets
SECRET_KEYS=(db_password_admin db_password_server payload_encryption_keys)
COMPONENT=app.kubernetes.io/component

EX_USAGE=64
EX_UNAVAILABLE=69

usage() {
  cat <<'USAGE'
Usage: ./deploy.sh [--dry-run] [--tag TAG] <command>

Commands, in the order of a release:
  build           docker build the image from the project root, tagged IMAGE:TAG
  push            docker push IMAGE:TAG
  migrate         run the migration Job with IMAGE:TAG and wait for it; exits 1 if it fails (the deploy gate)
  apply           apply the manifests with IMAGE:TAG and wait for the rollout
  release         build, push, migrate and apply, stopping at the first failure
  status          show the Deployment, its pods, the autoscaler and the last migration Job
  rollback [REV]  roll the Deployment back to the previous revision (or REV); migrations stay applied

Options:
  --dry-run       print every command and the rendered manifests; touch no cluster and no registry
  --tag TAG       image tag (default: $TAG, else the current git commit)
  -h, --help      show this text

The namespace and the image name come from k8s/kustomization.yaml. Environment: DOCKER and KUBECTL
(the binaries to use), ROLLOUT_TIMEOUT (default 300s), MIGRATE_TIMEOUT_SECONDS (default 660), NODE_IMAGE
(the Dockerfile's base image, e.g. node:24-bookworm-slim@sha256:<digest> to pin it; default: its ARG).
Create the namespace and the Secret first: see "Deployment" in README.md.
USAGE
}

die() {
  local status=$1
  shift
  echo "deploy.sh: $*" >&2
  exit "$status"
}

say() { echo "==> $*" >&2; }

# A top-level value of k8s/kustomization.yaml, e.g. `namespace` or the image's `newName`.
kustomization_value() {
  local value
  value=$(awk -v key="$1:" '$1 == key { print $2; exit }' "$K8S_DIR/kustomization.yaml")
  [[ -n $value ]] || die 1 "k8s/kustomization.yaml has no '$1'"
  echo "$value"
}

require_tool() {
  command -v "$1" >/dev/null 2>&1 || die "$EX_UNAVAILABLE" "$1 is not installed or not on PATH: $2"
}
require_docker() { require_tool "$DOCKER" "build and push need Docker (https://docs.docker.com/get-docker/); or set DOCKER to a compatible CLI such as podman"; }
require_kubectl() { require_tool "$KUBECTL" "rendering and deploying need kubectl (https://kubernetes.io/docs/tasks/tools/); or set KUBECTL to its path"; }

# Prints a command as it would be typed, quoting only the arguments that need it.
print_command() {
  local arg line='+'
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then line+=" $arg"; else line+=" '${arg//\'/\'\\\'\'}'"; fi
  done
  echo "$line"
}

# Every command that touches a registry or a cluster goes through here: printed, and run unless --dry-run.
run() {
  print_command "$@"
  [[ $DRY_RUN == true ]] || "$@"
}

kube() { run "$KUBECTL" --namespace "$NAMESPACE" "$@"; }

image_ref() { echo "$IMAGE:$TAG"; }

# Renders k8s/ with IMAGE:TAG through a temporary kustomize overlay (local only, also in a dry run).
render_manifests() {
  [[ -z ${RENDERED:-} ]] || return 0
  require_kubectl
  RENDER_DIR=$(mktemp -d "$ROOT/.deploy-render.XXXXXX")
  trap 'rm -rf "$RENDER_DIR"' EXIT
  cat >"$RENDER_DIR/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../k8s
images:
  - name: $IMAGE
    newTag: "$TAG"
EOF
  RENDERED="$RENDER_DIR/manifests.yaml"
  print_command "$KUBECTL" kustomize "$RENDER_DIR"
  "$KUBECTL" kustomize "$RENDER_DIR" >"$RENDERED"
  if [[ $DRY_RUN == true ]]; then
    echo "# --- rendered manifests ($(image_ref)) ---"
    cat "$RENDERED"
    echo "# --- end of rendered manifests ---"
  fi
}

apply_component() { kube apply --filename "$RENDERED" --selector "$1"; }

# Reads the cluster even in a dry run's place: a check, not a change, so it is printed and skipped there.
check_secret() {
  # shellcheck disable=SC2016 # a Go template for kubectl, not a shell expansion
  local present key query='go-template={{range $k, $v := .data}}{{$k}} {{end}}'
  say "checking secret/$SECRET has the keys ${SECRET_KEYS[*]}"
  print_command "$KUBECTL" --namespace "$NAMESPACE" get secret "$SECRET" --output "$query"
  [[ $DRY_RUN == false ]] || return 0
  present=$("$KUBECTL" --namespace "$NAMESPACE" get secret "$SECRET" --output "$query") ||
    die 1 "cannot read secret/$SECRET in namespace $NAMESPACE: create the namespace and the Secret as README.md says"
  for key in "${SECRET_KEYS[@]}"; do
    [[ " $present " == *" $key "* ]] || die 1 "secret/$SECRET has no key '$key': recreate it as README.md says"
  done
}

# Polls the Job until it completes (0) or fails or runs out of time (1).
wait_for_migration() {
  local conditions deadline=$((SECONDS + MIGRATE_TIMEOUT_SECONDS))
  local query='jsonpath={.status.conditions[?(@.status=="True")].type}'
  say "waiting up to ${MIGRATE_TIMEOUT_SECONDS}s for job/$MIGRATION_JOB"
  print_command "$KUBECTL" --namespace "$NAMESPACE" get job "$MIGRATION_JOB" --output "$query"
  [[ $DRY_RUN == false ]] || return 0
  while ((SECONDS < deadline)); do
    conditions=$("$KUBECTL" --namespace "$NAMESPACE" get job "$MIGRATION_JOB" --output "$query")
    case " $conditions " in
      *" Complete "*) return 0 ;;
      *" Failed "*) return 1 ;;
    esac
    sleep 5
  done
  echo "deploy.sh: job/$MIGRATION_JOB did not finish in ${MIGRATE_TIMEOUT_SECONDS}s" >&2
  return 1
}

cmd_build() {
  require_docker
  say "building $(image_ref) from $ROOT"
  run "$DOCKER" build ${NODE_IMAGE:+--build-arg "NODE_IMAGE=$NODE_IMAGE"} --file "$ROOT/Dockerfile" --tag "$(image_ref)" "$ROOT"
}

cmd_push() {
  require_docker
  say "pushing $(image_ref)"
  run "$DOCKER" push "$(image_ref)"
}

cmd_migrate() {
  require_kubectl
  check_secret
  render_manifests
  say "running the migrations with $(image_ref)"
  # The Job's NetworkPolicy first, so the migration runs under the rules the release ships.
  apply_component "$COMPONENT in (config,network-policy)"
  kube delete job "$MIGRATION_JOB" --ignore-not-found --wait=true
  apply_component "$COMPONENT=migration"
  if wait_for_migration; then
    kube logs "job/$MIGRATION_JOB"
  else
    kube logs "job/$MIGRATION_JOB" || true
    die 1 "the migration failed; the worker was not rolled out. Fix the cause, then run ./deploy.sh migrate again"
  fi
}

cmd_apply() {
  require_kubectl
  check_secret
  render_manifests
  say "rolling out $(image_ref)"
  apply_component "$COMPONENT!=migration"
  kube rollout status "deployment/$DEPLOYMENT" --timeout="$ROLLOUT_TIMEOUT"
}

cmd_release() {
  cmd_build
  cmd_push
  cmd_migrate
  cmd_apply
}

cmd_status() {
  require_kubectl
  kube get deployment,pods,horizontalpodautoscaler,poddisruptionbudget,jobs --selector app.kubernetes.io/name=tenant-workflows
  kube rollout history "deployment/$DEPLOYMENT"
}

cmd_rollback() {
  require_kubectl
  local revision=${1:-}
  [[ -z $revision || $revision =~ ^[0-9]+$ ]] || die "$EX_USAGE" "rollback takes a revision number, not '$revision'"
  say "rolling deployment/$DEPLOYMENT back to ${revision:+revision }${revision:-the previous revision}; migrations stay applied"
  kube rollout undo "deployment/$DEPLOYMENT" ${revision:+--to-revision="$revision"}
  kube rollout status "deployment/$DEPLOYMENT" --timeout="$ROLLOUT_TIMEOUT"
}

default_tag() {
  git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || die "$EX_USAGE" "not a git checkout: give the image tag with --tag TAG"
}

main() {
  DRY_RUN=false
  TAG=${TAG:-}
  local command='' args=()
  while (($# > 0)); do
    case $1 in
      --dry-run) DRY_RUN=true ;;
      --tag) [[ $# -ge 2 ]] || die "$EX_USAGE" "--tag needs a value"; TAG=$2; shift ;;
      --tag=*) TAG=${1#--tag=} ;;
      -h | --help | help) usage; exit 0 ;;
      -*) usage >&2; die "$EX_USAGE" "unknown option '$1'" ;;
      *) if [[ -z $command ]]; then command=$1; else args+=("$1"); fi ;;
    esac
    shift
  done
  [[ -n $command ]] || { usage >&2; exit "$EX_USAGE"; }

  [[ $MIGRATE_TIMEOUT_SECONDS =~ ^[0-9]+$ ]] || die "$EX_USAGE" "MIGRATE_TIMEOUT_SECONDS must be a number of seconds"
  NAMESPACE=$(kustomization_value namespace)
  IMAGE=$(kustomization_value newName)
  case $command in
    build | push | migrate | apply | release)
      [[ -n $TAG ]] || TAG=$(default_tag)
      [[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "$EX_USAGE" "'$TAG' is not a valid image tag"
      ((${#args[@]} == 0)) || die "$EX_USAGE" "$command takes no arguments"
      "cmd_$command"
      ;;
    status) ((${#args[@]} == 0)) || die "$EX_USAGE" "status takes no arguments"; cmd_status ;;
    rollback) ((${#args[@]} <= 1)) || die "$EX_USAGE" "rollback takes at most a revision"; cmd_rollback "${args[0]:-}" ;;
    *) usage >&2; die "$EX_USAGE" "unknown command '$command'" ;;
  esac
}

main "$@"
