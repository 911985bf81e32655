# The segment operator image, which also runs the CronJobs' create step (`create-build ...` as
# arguments). Build context: the bundle from `npm run bundle`
#   docker build -f workloads/search/images/operator.Dockerfile .cache/services/search-operator
# Everything is in main.js (no native modules), so the image is Node and one file.
FROM node:24.19-bookworm-slim
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
ENV NODE_ENV=production
WORKDIR /app
COPY main.js main.js.map main.js.LEGAL.txt package.json ./
# The search layer runs every pod as uid/gid `ml-platform:uid` (10001) with a read-only root.
USER 10001:10001
EXPOSE 9090
ENTRYPOINT ["node", "--enable-source-maps", "main.js"]
