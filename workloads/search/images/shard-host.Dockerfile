# The index service image: one pod per published segment, created by the segment controller.
# Build context: the bundle from `npm run bundle`
#   docker build -f workloads/search/images/index-service.Dockerfile .cache/services/search-index
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
COPY main.js main.js.map main.js.LEGAL.txt index.proto package.json ./
# The controller's pod template runs it as INDEX_UID (the search layer's `ml-platform:uid`, 10001);
# the segment is downloaded into SEGMENT_DIR (/segment, an emptyDir), never into the image.
USER 10001:10001
EXPOSE 50051
ENTRYPOINT ["node", "--enable-source-maps", "main.js"]
