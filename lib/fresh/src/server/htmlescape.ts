/**
 * Make a JSON string safe to inline in an HTML `<script>`.
 * @module
 */
const ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** Escape `<`, `>`, `&`, U+2028 and U+2029 as JSON unicode escapes. */
export function htmlEscapeJsonString(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]);
}
