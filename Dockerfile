# syntax=docker/dockerfile:1
# The tenant-workflows worker image. Build from the project root: ./deploy.sh build (or docker build .).
# test/deploy/dockerfile.test.ts runs these same RUN and COPY steps outside a container.

# Node 24, the active LTS (Node 20 reached end of life in April 2026). glibc: the Temporal SDK's native core
# bridge does not support Alpine (musl). Pinned by digest, so a build is reproducible and a base change is a
# reviewed commit: node:24-bookworm-slim as published for Node 24.18.0 (July 2026; the multi-platform index).
# Renew it with each Node patch release (docker buildx imagetools inspect node:24-bookworm-slim), or pass
# NODE_IMAGE=node:24-bookworm-slim@sha256:<digest> to ./deploy.sh build (docker build --build-arg NODE_IMAGE=...).
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: bcrypt and the Temporal core bridge ship prebuilt binaries, and nothing else is needed.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# dist/ and the prebuilt workflow bundle, dist/workflow-bundle.js, which the worker loads instead of bundling.
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund --ignore-scripts
# The core bridge ships its native library for five platforms, ~140 MB in all: keep only the one this image
# runs on (TARGETARCH, set by BuildKit; uname -m without it), which the SDK picks by os.arch().
ARG TARGETARCH
RUN arch="${TARGETARCH:-$(uname -m)}" \
    && case "$arch" in \
         amd64 | x86_64) keep=x86_64-unknown-linux-gnu ;; \
         arm64 | aarch64) keep=aarch64-unknown-linux-gnu ;; \
         *) echo "the Temporal core bridge has no build for $arch" >&2; exit 1 ;; \
       esac \
    && releases=node_modules/@temporalio/core-bridge/releases \
    && test -f "$releases/$keep/index.node" \
    && find "$releases" -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} +

FROM ${NODE_IMAGE} AS runtime
# The V8 heap stays well under the Deployment's 768Mi memory limit, leaving room for the Temporal core
# (native memory) and buffers; raise both together.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=512
WORKDIR /app
# Owned by root and read-only to the worker: it writes nothing but temporary files in /tmp.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (no npm or shell in between), so SIGTERM reaches the worker's graceful shutdown.
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["worker"]
