/**
 * Checks of the shipping files that need no Docker engine: the Dockerfile's
 * layer order, user and start command, its HEALTHCHECK command run for real
 * with `deno eval`, the compose topology, and deploy/nginx.conf validated by
 * the real nginx binary.
 */
import assert from "node:assert/strict";
import { buildApp } from "./helpers/build_app.ts";
import { freePort, REPO_ROOT, startServer } from "./helpers/server_process.ts";
import { waitUntil } from "./helpers/wait.ts";

const dockerfile = await Deno.readTextFile(`${REPO_ROOT}/Dockerfile`);
const instructions = dockerfile
  .replace(/\\\n/g, " ") // join continued lines
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));

function indexOf(pattern: RegExp): number {
  const index = instructions.findIndex((line) => pattern.test(line));
  assert.notEqual(index, -1, `Dockerfile has no line matching ${pattern}`);
  return index;
}

/** The JSON array of an exec-form instruction such as `CMD [...]`. */
function execForm(keyword: RegExp): string[] {
  const line = instructions[indexOf(keyword)];
  return JSON.parse(line.slice(line.indexOf("[")));
}

Deno.test("Dockerfile: pinned Deno 2 image, same version as CI", async () => {
  const version = /^ARG DENO_VERSION=(\d+\.\d+\.\d+)$/.exec(
    instructions[indexOf(/^ARG DENO_VERSION=/)],
  )?.[1];
  assert.ok(version, "DENO_VERSION must be an exact x.y.z version");
  assert.equal(version.split(".")[0], "2");
  indexOf(/^FROM denoland\/deno:\$\{DENO_VERSION\}$/);
  const ci = await Deno.readTextFile(`${REPO_ROOT}/.ci/run`);
  assert.ok(ci.includes(`deno@${version}`), `CI installs another Deno`);
});

Deno.test("Dockerfile: dependency layer, then sources, then the AOT build", () => {
  const user = indexOf(/^USER deno$/);
  const copyManifest = indexOf(
    /^COPY (--chown=deno:deno )?deno\.json deno\.lock \.\/$/,
  );
  const install = indexOf(/^RUN deno install --frozen$/);
  const copyAll = indexOf(/^COPY (--chown=deno:deno )?\. \.$/);
  const build = indexOf(/^RUN deno task build\b/);
  assert.ok(user < install, "dependencies must be installed as deno");
  assert.ok(copyManifest < install && install < copyAll && copyAll < build);
});

Deno.test("Dockerfile: production start without write permission", async () => {
  const cmd = execForm(/^CMD /);
  assert.deepEqual(cmd, [
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-env",
    "main.ts",
  ]);
  // `deno task preview` is the same start.
  const tasks = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`))
    .tasks;
  assert.equal(tasks.preview, `deno ${cmd.join(" ")}`);
  assert.doesNotMatch(dockerfile, /--allow-write|--allow-all|\s-A\s/);
});

Deno.test(".dockerignore keeps state, builds and secrets out", async () => {
  const lines = (await Deno.readTextFile(`${REPO_ROOT}/.dockerignore`))
    .split("\n").map((l) => l.trim());
  for (const entry of [".git", "node_modules", "_fresh", ".env*"]) {
    assert.ok(lines.includes(entry), `.dockerignore lacks ${entry}`);
  }
});

Deno.test("Dockerfile HEALTHCHECK: exit 0 on 200, 1 on 503 or no answer", async (t) => {
  const cmd = execForm(/^HEALTHCHECK .*CMD \[/);
  assert.deepEqual(cmd.slice(0, 2), ["deno", "eval"]);
  const check = async (port: number) =>
    (await new Deno.Command(Deno.execPath(), {
      args: ["eval", cmd[2]],
      env: { PORT: String(port), NO_COLOR: "1" },
      stdout: "null",
      stderr: "null",
    }).output()).code;

  await t.step("the real app: healthy", async () => {
    const build = await buildApp(REPO_ROOT);
    const app = await startServer({
      env: { ...build.env, KV_PATH: ":memory:", LOG_LEVEL: "warn" },
    });
    try {
      // The rooms hub opens on first use; Docker's start period covers that.
      await waitUntil(
        async () => {
          const res = await fetch(`${app.url}/healthz`);
          await res.body?.cancel();
          return res.status === 200;
        },
        "healthz 200",
        { intervalMs: 100 },
      );
      assert.equal(await check(app.port), 0);
    } finally {
      await app.stop();
    }
  });

  await t.step("a 503 answer: unhealthy", async () => {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => Response.json({ status: "degraded" }, { status: 503 }),
    );
    try {
      assert.equal(await check(server.addr.port), 1);
    } finally {
      await server.shutdown();
    }
  });

  await t.step("nothing listening: unhealthy", async () => {
    assert.equal(await check(freePort()), 1);
  });
});

Deno.test("docker-compose.yaml: two apps behind nginx, sharing Redis", async () => {
  const compose = await Deno.readTextFile(`${REPO_ROOT}/docker-compose.yaml`);
  for (const service of ["redis", "app1", "app2", "nginx"]) {
    assert.match(compose, new RegExp(`^  ${service}:$`, "m"), service);
  }
  assert.match(compose, /\.\/deploy\/nginx\.conf:\/etc\/nginx\/nginx\.conf:ro/);
  assert.match(compose, /REDIS_URL: redis:\/\/redis:6379/);
  assert.match(compose, /TRUST_PROXY: "true"/);
  assert.match(compose, /INSTANCE_ID: app1/);
  assert.match(compose, /INSTANCE_ID: app2/);
  // nginx's upstream names are the compose service names.
  const nginx = await Deno.readTextFile(`${REPO_ROOT}/deploy/nginx.conf`);
  assert.match(nginx, /server app1:8000 /);
  assert.match(nginx, /server app2:8000 /);
});

Deno.test("deploy/nginx.conf: WebSocket-aware, and nginx -t accepts it", async () => {
  const conf = await Deno.readTextFile(`${REPO_ROOT}/deploy/nginx.conf`);
  assert.match(conf, /proxy_http_version 1\.1;/);
  assert.match(conf, /map \$http_upgrade \$connection_upgrade \{/);
  assert.match(conf, /proxy_set_header Upgrade \$http_upgrade;/);
  assert.match(conf, /proxy_set_header Connection \$connection_upgrade;/);
  assert.match(
    conf,
    /proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/,
  );
  const readTimeout = /proxy_read_timeout (\d+)s;/.exec(conf)?.[1];
  assert.ok(Number(readTimeout) >= 3600, "read timeout under an hour");

  // nginx resolves upstream names while testing: point them at loopback.
  const prefix = await Deno.makeTempDir({ prefix: "nginx_check_" });
  try {
    const local = conf
      .replace("listen 80;", `listen 127.0.0.1:${freePort()};`)
      .replace("server app1:8000 ", "server 127.0.0.1:1 ")
      .replace("server app2:8000 ", "server 127.0.0.1:2 ");
    await Deno.writeTextFile(`${prefix}/nginx.conf`, local);
    const out = await new Deno.Command("/usr/sbin/nginx", {
      args: [
        "-t",
        "-p",
        `${prefix}/`,
        "-c",
        `${prefix}/nginx.conf`,
        "-g",
        `pid ${prefix}/nginx.pid; error_log stderr;`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, text);
    assert.match(text, /test is successful/);
  } finally {
    await Deno.remove(prefix, { recursive: true });
  }
});
