import { Head } from "$fresh/runtime.ts";
import type { PageProps } from "$fresh/server.ts";

/** Rendered with status 404 for unknown paths. */
export default function NotFound({ url }: PageProps) {
  return (
    <main>
      <Head>
        <title>Not found</title>
      </Head>
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{url.pathname}</code>. <a href="/">Go home</a>.
      </p>
    </main>
  );
}
