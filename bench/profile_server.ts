/**
 * Starts our server (main.ts) so that `--cpu-prof` can write its profile:
 * the app has no SIGTERM handler, and a process killed by a signal writes
 * none, so this exits cleanly on SIGTERM or SIGINT instead.
 *
 * `deno run --allow-net --allow-read --allow-env --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile_server.ts`
 *
 * then summarize with `deno run -A bench/profile_summary.ts /tmp/prof/*.cpuprofile`.
 *
 * @module
 */
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => Deno.exit(0));
}
await import("../main.ts");
