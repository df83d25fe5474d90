/**
 * `$fresh/server.ts`: the server API of the Fresh-1.x-compatible runtime.
 * @module
 */
export * from "./src/server/mod.ts";
