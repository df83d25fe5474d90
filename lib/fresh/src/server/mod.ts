/**
 * Everything `$fresh/server.ts` exports.
 * @module
 */
import "./build_id.ts";
export { createHandler, start } from "./start.ts";
export { type RequestHandler, ServerContext } from "./context.ts";
export {
  defineApp,
  defineConfig,
  defineLayout,
  defineRoute,
} from "./define.ts";
export { STATUS_CODE } from "./status.ts";
export type * from "../types.ts";
