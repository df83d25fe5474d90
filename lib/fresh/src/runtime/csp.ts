/**
 * Content Security Policy for pages whose route sets `config.csp = true`.
 * @module
 */
import { createContext } from "preact";
import { useContext } from "preact/hooks";

/** `'self'` */
export const SELF = "'self'";
/** `'unsafe-inline'` */
export const UNSAFE_INLINE = "'unsafe-inline'";
/** `'unsafe-eval'` */
export const UNSAFE_EVAL = "'unsafe-eval'";
/** `'unsafe-hashes'` */
export const UNSAFE_HASHES = "'unsafe-hashes'";
/** `'none'` */
export const NONE = "'none'";
/** `'strict-dynamic'` */
export const STRICT_DYNAMIC = "'strict-dynamic'";

/** A nonce source expression: `'nonce-<val>'`. */
export function nonce(val: string): string {
  return `'nonce-${val}'`;
}

/** A policy being built for one render. */
export interface ContentSecurityPolicy {
  /** Directives in camelCase, e.g. `scriptSrc`. */
  directives: ContentSecurityPolicyDirectives;
  /** Send `Content-Security-Policy-Report-Only` instead. */
  reportOnly: boolean;
}

/** CSP directives; keys are camelCase names of the kebab-case directives. */
export interface ContentSecurityPolicyDirectives {
  childSrc?: string[];
  connectSrc?: string[];
  defaultSrc?: string[];
  fontSrc?: string[];
  frameSrc?: string[];
  imgSrc?: string[];
  manifestSrc?: string[];
  mediaSrc?: string[];
  objectSrc?: string[];
  prefetchSrc?: string[];
  scriptSrc?: string[];
  scriptSrcElem?: string[];
  scriptSrcAttr?: string[];
  styleSrc?: string[];
  styleSrcElem?: string[];
  styleSrcAttr?: string[];
  workerSrc?: string[];
  baseUri?: string[];
  sandbox?: string[];
  formAction?: string[];
  frameAncestors?: string[];
  navigateTo?: string[];
  /** Where violations are reported. */
  reportUri?: string;
}

/** Holds the policy of the current render (undefined when CSP is off). */
export const CSP_CONTEXT = createContext<ContentSecurityPolicy | undefined>(
  undefined,
);

/** Adjust the page's policy during SSR; does nothing when CSP is off. */
export function useCSP(mutator: (csp: ContentSecurityPolicy) => void): void {
  const csp = useContext(CSP_CONTEXT);
  if (csp) mutator(csp);
}
