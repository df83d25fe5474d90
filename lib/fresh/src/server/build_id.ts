/**
 * Computes the server's build id once per process: the SHA-1 hex of
 * `DENO_DEPLOYMENT_ID` (or `GITHUB_SHA`) when set, else a random UUID. A
 * loaded snapshot replaces it (`setBuildId`).
 * @module
 */
import { BUILD_ID, setBuildId } from "../runtime/build_id.ts";
import { readEnv } from "./config.ts";

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** Compute the default build id for this process. */
export async function computeBuildId(): Promise<string> {
  const seed = readEnv("DENO_DEPLOYMENT_ID") ?? readEnv("GITHUB_SHA");
  return seed ? await sha1Hex(seed) : crypto.randomUUID().replaceAll("-", "");
}

if (BUILD_ID === "") setBuildId(await computeBuildId());

export { BUILD_ID, setBuildId, sha1Hex };
