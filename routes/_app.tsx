import type { PageProps } from "$fresh/server.ts";
import { asset, useCSP } from "$fresh/runtime.ts";
import { applyPagePolicy } from "../lib/security/csp.ts";

/**
 * The document shell shared by every page. On `csp: true` routes it sets the
 * app's policy (lib/security/csp.ts); the runtime adds the render's nonce.
 */
export default function App({ Component, url }: PageProps) {
  useCSP((csp) => applyPagePolicy(csp, url));
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1.0" />
        <title>Realtime</title>
        <link rel="icon" type="image/svg+xml" href={asset("/favicon.svg")} />
        <link rel="stylesheet" href={asset("/styles.css")} />
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}
