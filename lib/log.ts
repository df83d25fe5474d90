/**
 * Structured logging: one JSON line per event,
 * `{"time","level","event",...fields}`, debug/info to stdout and warn/error to
 * stderr. Message bodies are dropped unless the logger was made with
 * `bodies: true` (LOG_BODIES), so user text never lands in logs by accident.
 *
 * @module
 */

import type { LogLevel } from "./config.ts";

/** Fields attached to a log event. */
export type LogFields = Record<string, unknown>;

/** A leveled structured logger. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. @default {"info"} */
  level?: LogLevel;
  /** Keep fields named in {@linkcode BODY_FIELDS}. @default {false} */
  bodies?: boolean;
  /** Where lines go; defaults to console.log / console.error. */
  write?: (line: string, level: Exclude<LogLevel, "silent">) => void;
}

/** Field names that carry user text and are dropped unless bodies are on. */
export const BODY_FIELDS: ReadonlySet<string> = new Set([
  "text",
  "message",
  "body",
]);

const RANK: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100,
};

function defaultWrite(line: string, level: string): void {
  if (level === "warn" || level === "error") console.error(line);
  else console.log(line);
}

function serializable(value: unknown): unknown {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return value;
}

/** Makes a logger writing JSON lines at or above `level`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const bodies = options.bodies ?? false;
  const write = options.write ?? defaultWrite;
  const emit =
    (level: Exclude<LogLevel, "silent">) =>
    (event: string, fields: LogFields = {}) => {
      if (RANK[level] < min) return;
      const record: LogFields = {
        time: new Date().toISOString(),
        level,
        event,
      };
      for (const [key, value] of Object.entries(fields)) {
        if (!bodies && BODY_FIELDS.has(key)) continue;
        record[key] = serializable(value);
      }
      write(JSON.stringify(record), level);
    };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
  };
}
