# The shard host image: one process per pod serving many segments, run by the segment controller
# as one Deployment per host (its assignment is a ConfigMap mounted at /etc/shard-host).
# Build context: the bundle from `npm run bundle`
#   docker build -f workloads/search/images/shard-host.Dockerfile .cache/services/search-shard-host
# hnswlib-node compiles at install (node-gyp: python3, make, g++), so it is built in the full
# Debian image and only node_modules is copied into the slim one (same Debian, same glibc).
# grpc-health-check is installed too: it loads its health.proto from its own package directory.
FROM node:24.19-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24.19-bookworm-slim
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# search-thread.js is the search threads' own entry (each loads its segments in its own isolate).
COPY main.js main.js.map main.js.LEGAL.txt search-thread.js search-thread.js.map shard-host.proto package.json ./
# The controller's pod template runs it as HOST_UID (the search layer's `ml-platform:uid`, 10001);
# segments are downloaded into SEGMENT_DIR (/segments, an emptyDir), never into the image.
USER 10001:10001
EXPOSE 50051 9090
ENTRYPOINT ["node", "--enable-source-maps", "main.js"]
