# The search front image. Build context: the bundle from `npm run bundle`
#   docker build -f workloads/search/images/front.Dockerfile .cache/services/search-front
# CPU inference (onnxruntime-node's CPU provider) and sharp, both with prebuilt binaries: the
# model is not baked in, the front downloads it from EMBEDDER_MODEL_URI into /tmp (an emptyDir).
FROM node:24.19-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24.19-bookworm-slim
# Nothing at run time needs npm; the pod's root filesystem is read-only anyway.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY main.js main.js.map main.js.LEGAL.txt inference-thread.js inference-thread.js.map shard-host.proto package.json ./
# The search layer runs every pod as uid/gid `ml-platform:uid` (10001) with a read-only root.
USER 10001:10001
EXPOSE 8080 9090
ENTRYPOINT ["node", "--enable-source-maps", "main.js"]
