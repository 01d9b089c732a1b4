# One image for the three apps; docker-compose picks the app with the APP build argument.
# Build stage: full install and TypeScript build of the apps and libs (the tests are not needed here).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps apps
COPY libs libs
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies, the build, the shipped model, data and batch predictions, run by the
# unprivileged `node` user of the base image. Files stay owned by root: the apps only read them.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY models models
COPY data data
USER node
ARG APP=api-gateway
ENV APP=${APP}
# Ready = broker (and Redis, model) reachable; compose restarts a crashed app (restart: unless-stopped).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# exec: node is PID 1 and receives SIGTERM itself (the apps drain and exit on it).
CMD ["sh", "-c", "exec node --enable-source-maps dist/apps/$APP/src/main.js"]
