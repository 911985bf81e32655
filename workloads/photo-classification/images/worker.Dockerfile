# The GPU worker image. Build context: the bundle from `npx tsx scripts/bundle-services.ts`
#   docker build -f workloads/photo-classification/images/worker.Dockerfile .cache/services/photo-worker
# CUDA 12 with cuDNN 9 matches onnxruntime-node's CUDA execution provider and the AMI's R550
# driver (packer/versions/al2023-ecs-driver550-cuda12.4-cudnn9.pkrvars.hcl); the ECS agent
# exposes the GPU, so the container needs no privileges.
FROM node:24.19-bookworm-slim AS node

FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
WORKDIR /app
COPY package.json ./
# Native modules only (the rest is bundled), with onnxruntime-node's CUDA 12 provider.
RUN node /usr/local/lib/node_modules/npm/bin/npm-cli.js install --omit=dev --no-audit --no-fund --onnxruntime-node-install=cuda12 \
 && rm -rf /root/.npm /usr/local/lib/node_modules/npm
COPY main.js main.js.map main.js.LEGAL.txt inference-thread.js inference-thread.js.map ./
ENV NODE_ENV=production \
    EXECUTION_PROVIDER=cuda \
    MALLOC_ARENA_MAX=2
USER 10001:10001
EXPOSE 9464
ENTRYPOINT ["node", "--enable-source-maps", "main.js"]
