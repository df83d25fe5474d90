/**
 * The build id shared by the server and `asset()`. The server sets it at
 * startup (see `server/build_id.ts`); the bundler replaces this module with a
 * constant in browser bundles.
 * @module
 */

/** The id of the current build; part of `/_frsh/js/<id>/` and `asset()` URLs. */
export let BUILD_ID = "";

/** Replace the build id (the server does this once, or from a snapshot). */
export function setBuildId(id: string): void {
  BUILD_ID = id;
}
