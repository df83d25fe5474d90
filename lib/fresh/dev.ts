/**
 * `$fresh/dev.ts`: `await dev(import.meta.url, "./main.ts")` in a project's
 * `dev.ts`. With the argument `build` it writes the production bundles.
 * @module
 */
import { dev } from "./src/dev/dev_command.ts";
export default dev;
