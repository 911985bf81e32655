# The segment build image (the three CronJobs). Build context: the bundle from `npm run bundle`
#   docker build -f workloads/search/images/build.Dockerfile .cache/services/search-build
# The hourly build embeds on a GPU: CUDA 12 with cuDNN 9 matches onnxruntime-node's CUDA execution
# provider and the EKS GPU AMI's R550 driver (packer/versions/al2023-eks1.33-driver550-cuda12.4-cudnn9);
# daily and monthly runs use the same image on CPU (EXECUTION_PROVIDER=cpu). The model is not
# baked in: the build downloads it from EMBEDDER_MODEL_URI. A CronJob gives only the arguments,
#   --tier hourly|daily|monthly --window last-closed
# and the image's entry point runs them: no shell, no `date`.
FROM node:24.19-bookworm-slim AS node

# hnswlib-node compiles at install: build it on the runtime's own Ubuntu (glibc, libstdc++).
FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/include/node /usr/local/include/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
WORKDIR /app
COPY package.json package-lock.json ./
# Native modules only (the rest is bundled), with onnxruntime-node's CUDA 12 provider.
RUN node /usr/local/lib/node_modules/npm/bin/npm-cli.js ci --omit=dev --no-audit --no-fund --onnxruntime-node-install=cuda12 \
      --nodedir=/usr/local

FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
COPY --from=node /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY main.js main.js.map main.js.LEGAL.txt inference-thread.js inference-thread.js.map package.json ./
ENV NODE_ENV=production \
    EXECUTION_PROVIDER=cuda \
    MALLOC_ARENA_MAX=2
# The CronJobs run as uid/gid `ml-platform:uid` (10001), read-only root; /work, /tmp and /cache are volumes.
USER 10001:10001
ENTRYPOINT ["node", "--enable-source-maps", "main.js"]
