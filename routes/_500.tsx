import { Head } from "$fresh/runtime.ts";

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
