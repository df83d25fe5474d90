import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps, RouteConfig } from "$fresh/server.ts";
import {
  hasSession,
  isHttps,
  isSameOriginPost,
  safeReturnPath,
  sessionCookie,
  SignInLimiter,
  timingSafeEqual,
} from "../lib/security/access.ts";
import { realtime } from "../lib/server/instance.ts";
import { clientAddress } from "../lib/server/upgrade.ts";

/** A policy with the page's nonce (routes/_app.tsx fills it in). */
export const config: RouteConfig = { csp: true };

interface LoginData {
  next: string;
  error?: string;
}

const MAX_FORM_BYTES = 4096;
const limiter = new SignInLimiter();

function seeOther(location: string, headers: HeadersInit = {}): Response {
  return new Response(null, {
    status: 303,
    headers: { location, "cache-control": "no-store", ...headers },
  });
}

/** The url-encoded form of a POST, read up to {@linkcode MAX_FORM_BYTES}. */
async function readForm(req: Request): Promise<URLSearchParams | undefined> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type) || !req.body) {
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_FORM_BYTES) {
        await reader.cancel();
        return undefined;
      }
      chunks.push(value);
    }
  } catch {
    return undefined;
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

/**
 * GET shows the form (or goes straight back when signed in or no token is
 * configured); POST checks the token and sets the session cookie.
 */
export const handler: Handlers<LoginData> = {
  GET(req, ctx) {
    const next = safeReturnPath(ctx.url.searchParams.get("next"));
    const token = realtime().config.accessToken;
    if (!token || hasSession(req, token)) return seeOther(next);
    return ctx.render({ next }, { headers: { "cache-control": "no-store" } });
  },
  async POST(req, ctx) {
    const { accessToken: token, trustProxy } = realtime().config;
    const address = clientAddress(req, ctx.remoteAddr, trustProxy);
    if (!isSameOriginPost(req)) {
      return new Response("Cross-site sign-in refused\n", {
        status: 403,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    const form = await readForm(req);
    const next = safeReturnPath(form?.get("next"));
    if (!token) return seeOther(next);
    const noStore = { "cache-control": "no-store" };
    if (!limiter.allowed(address)) {
      realtime().logger.warn("login_throttled", { address });
      return ctx.render({
        next,
        error: "Too many wrong tokens from your address; wait a minute.",
      }, { status: 429, headers: { ...noStore, "retry-after": "60" } });
    }
    const given = form?.get("token") ?? "";
    if (!given || !timingSafeEqual(given, token)) {
      limiter.fail(address);
      realtime().logger.info("login_failed", { address });
      return ctx.render(
        { next, error: "That access token is not right." },
        { status: 401, headers: noStore },
      );
    }
    limiter.succeed(address);
    realtime().logger.info("login_ok", { address });
    return seeOther(next, {
      "set-cookie": sessionCookie(token, isHttps(req, trustProxy)),
    });
  },
};

/** The sign-in form: one password field, posted here. */
export default function LoginPage({ data }: PageProps<LoginData>) {
  return (
    <main class="page">
      <Head>
        <title>Sign in · Realtime</title>
        <meta name="robots" content="noindex" />
      </Head>
      <h1>Sign in</h1>
      <p>This server needs an access token. Ask whoever runs it.</p>
      <form method="post" action="/login" class="login-form">
        <input type="hidden" name="next" value={data.next} />
        <label for="token">Access token</label>
        <div class="composer-row">
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="current-password"
            required
            autofocus
            aria-invalid={data.error ? "true" : undefined}
            aria-describedby={data.error ? "login-error" : undefined}
          />
          <button type="submit" class="button">Sign in</button>
        </div>
        {data.error && (
          <p id="login-error" class="hint" role="alert">{data.error}</p>
        )}
      </form>
    </main>
  );
}
