#!/usr/bin/env bash
# Deployment helper for tenant-workflows. Grows with the k8s manifests; today it only describes itself.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: ./deploy.sh <command>

Commands:
  help    show this text

The Kubernetes manifests and the build/push/migrate/apply commands land with the deployment work.
USAGE
}

case "${1:-help}" in
  help | -h | --help) usage ;;
  *) usage >&2; exit 64 ;;
esac
