import { Head } from "$fresh/runtime.ts";
import type { ErrorHandler } from "$fresh/server.ts";
import { withSecurityHeaders } from "../lib/security/headers.ts";

/**
 * The error page is rendered outside the middleware chain (the error escaped
 * it), so it adds the security headers and page policy itself.
 */
export const handler: ErrorHandler = async (_req, ctx) =>
  withSecurityHeaders(await ctx.render(), ctx.url, "route");

/** Rendered with status 500 when a route throws; details stay in the server log. */
export default function ServerError() {
  return (
    <main>
      <Head>
        <title>Server error</title>
      </Head>
      <h1>Something went wrong</h1>
      <p>
        The error was logged. <a href="/">Go home</a>.
      </p>
    </main>
  );
}
