import { defineConfig } from "$fresh/server.ts";

/** Fresh configuration shared by main.ts (production) and dev.ts. */
export default defineConfig({});
