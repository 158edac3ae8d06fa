# syntax=docker/dockerfile:1
# The tenant-workflows worker image. Build from the project root: ./deploy.sh build (or docker build .).
# test/deploy/dockerfile.test.ts runs these same RUN and COPY steps outside a container.

# glibc image: the Temporal SDK's native core bridge does not support Alpine (musl).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: bcrypt and the Temporal core bridge ship prebuilt binaries, and nothing else is needed.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# dist/ and the prebuilt workflow bundle, dist/workflow-bundle.js, which the worker loads instead of bundling.
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund --ignore-scripts

FROM node:20-bookworm-slim AS runtime
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
