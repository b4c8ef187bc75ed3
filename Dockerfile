# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY migrations ./migrations
RUN npm run build

# Run: production dependencies and the compiled JavaScript only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# glibc's malloc keeps its mmap threshold at 128 KiB instead of raising it to the largest block freed, whose
# holes then stay resident: the lessons CLI's import ~17–33 MB smaller, the bot ~4–10 MB (README, "Memory and
# speed at scale").
ENV MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY examples ./examples
# The empty cluster a new embedded database (no DATABASE_URL) starts from: src/db/pglite-template.ts.
COPY assets ./assets
# The embedded database (when DATABASE_URL is not set) lives here; mount a volume to keep it.
ENV DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
# /healthz: 200 when the database answers and every shard is connected (node: the slim image has no curl).
ENV HEALTH_PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["node", "dist/src/operations/healthcheck.js"]
# SIGTERM from `docker stop` reaches node directly (exec form), which shuts down gracefully.
# Flags: a 4 MB young-generation semi-space, WebAssembly compiled by Liftoff only, and type feedback from a
# function's first call (a first second under load) (README, "Memory and speed at scale").
CMD ["node", "--max-semi-space-size=4", "--liftoff-only", "--no-lazy-feedback-allocation", "dist/src/main.js"]
