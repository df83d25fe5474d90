/**
 * The default policy of a CSP-enabled route and its header form.
 * @module
 */
import {
  type ContentSecurityPolicy,
  NONE,
  UNSAFE_INLINE,
} from "../runtime/csp.ts";

/** Fresh 1.7's starting policy: `default-src 'none'; style-src 'unsafe-inline'`. */
export function defaultCsp(): ContentSecurityPolicy {
  return {
    directives: { defaultSrc: [NONE], styleSrc: [UNSAFE_INLINE] },
    reportOnly: false,
  };
}

/** Header name and value for a policy. */
export function cspHeader(csp: ContentSecurityPolicy): [string, string] {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(csp.directives)) {
    if (value === undefined) continue;
    const name = key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
    const sources = Array.isArray(value)
      ? [...new Set(value)].join(" ")
      : String(value);
    parts.push(sources ? `${name} ${sources}` : name);
  }
  const header = csp.reportOnly
    ? "Content-Security-Policy-Report-Only"
    : "Content-Security-Policy";
  return [header, parts.join("; ")];
}
