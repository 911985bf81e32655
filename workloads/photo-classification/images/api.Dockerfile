# The photo API image. Build context: the bundle from `npx tsx scripts/bundle-services.ts`
#   docker build -f workloads/photo-classification/images/api.Dockerfile .cache/services/photo-api
# Everything is in main.js (no native modules), so the image is Node and one file.
FROM node:24.19-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY main.js main.js.map main.js.LEGAL.txt package.json ./
# The task definition runs it as 10001:10001 too; the image must not need root.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "--enable-source-maps", "main.js"]
