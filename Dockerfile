# syntax=docker/dockerfile:1
#
# Production image: dependencies cached in their own layer, the Fresh
# ahead-of-time build done at image build time, and a non-root user running
# the app with read, net and env permissions only (no write, no run).
# See docs/deploy.md.

ARG DENO_VERSION=2.9.6
FROM denoland/deno:${DENO_VERSION}

ENV PORT=8000 \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1

WORKDIR /app
# /data is where a KV file goes when KV_PATH points there (see docs/deploy.md);
# a named volume mounted on it starts out owned by `deno` too.
RUN chown deno:deno /app && mkdir /data && chown deno:deno /data
# The image's `deno` user (uid 1993) owns /app and DENO_DIR (/deno-dir), so
# every build step below writes as that user and nothing runs as root.
USER deno

# Dependency layer: rebuilt only when deno.json or deno.lock change.
# --frozen fails the build instead of silently updating the lock.
COPY --chown=deno:deno deno.json deno.lock ./
RUN deno install --frozen

# Application layer.
COPY --chown=deno:deno . .
# Ahead-of-time build: bundles the islands into _fresh/ so the server needs
# neither esbuild nor write access at run time; then compile the server's
# module graph into DENO_DIR so a start does not transpile.
RUN deno task build && deno cache --frozen main.ts

EXPOSE 8000

# curl is not in the image: ask /healthz with Deno itself. 503 (degraded:
# shared bus down) counts as unhealthy, as does no answer within 3 s.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["deno", "eval", "const port = Deno.env.get('PORT') ?? '8000'; const r = await fetch('http://127.0.0.1:' + port + '/healthz', { signal: AbortSignal.timeout(3000) }); await r.body?.cancel(); Deno.exit(r.status === 200 ? 0 : 1);"]

# The image's entrypoint (tini + docker-entrypoint.sh) prefixes `deno` for
# `run`, so signals reach the app and SIGTERM drains it gracefully.
CMD ["run", "--allow-net", "--allow-read", "--allow-env", "main.ts"]
