/**
 * A simulated price ticker: a seeded random walk with drift in log-price
 * (geometric Brownian motion sampled at unit steps), so prices stay positive.
 *
 *   log p(t+1) = log p(t) + (μ − σ²/2) + σ·Z,   Z ~ N(0, 1)
 *
 * Pure and deterministic: the state is a plain object, {@link tickerStep}
 * returns the next price and the next state, and the same seed always gives
 * the same prices. Uniforms come from mulberry32 (Tommy Ettinger's 32-bit
 * generator); normals from the Box–Muller transform.
 *
 * @module
 */

/** Parameters of the walk. */
export interface TickerOptions {
  /** Seed; any integer. */
  seed: number;
  /** First price (default 100). */
  start?: number;
  /** Expected log-return per step, μ (default 0.0005). */
  drift?: number;
  /** Volatility per step, σ (default 0.01). */
  volatility?: number;
}

/** The walk's complete state (structured-clonable). */
export interface TickerState {
  readonly rng: number;
  readonly price: number;
  readonly drift: number;
  readonly volatility: number;
  /** A spare standard normal from the last Box–Muller pair, if any. */
  readonly spare: number | null;
}

/** Creates the state before the first step; the first price returned is the one after `start`. */
export function createTicker(options: TickerOptions): TickerState {
  const start = options.start ?? 100;
  if (!(start > 0) || !Number.isFinite(start)) {
    throw new RangeError(`start must be a positive number, got ${start}`);
  }
  return {
    rng: options.seed >>> 0,
    price: start,
    drift: options.drift ?? 0.0005,
    volatility: options.volatility ?? 0.01,
    spare: null,
  };
}

/** One mulberry32 step: the next 32-bit state and a uniform in [0, 1). */
export function nextUniform(state: number): [number, number] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [next, ((t ^ (t >>> 14)) >>> 0) / 4294967296];
}

function nextNormal(state: TickerState): [number, number, number | null] {
  if (state.spare !== null) return [state.rng, state.spare, null];
  let rng = state.rng;
  let u1 = 0;
  // log(0) is -Infinity, so draw again in the (2^-32 likely) case of u1 = 0.
  while (u1 === 0) [rng, u1] = nextUniform(rng);
  let u2: number;
  [rng, u2] = nextUniform(rng);
  const radius = Math.sqrt(-2 * Math.log(u1));
  return [
    rng,
    radius * Math.cos(2 * Math.PI * u2),
    radius * Math.sin(2 * Math.PI * u2),
  ];
}

/** Advances the walk one step: the new price (rounded to cents) and state. */
export function tickerStep(state: TickerState): [number, TickerState] {
  const [rng, z, spare] = nextNormal(state);
  const { drift, volatility } = state;
  const price = state.price *
    Math.exp(drift - volatility * volatility / 2 + volatility * z);
  return [
    Math.round(price * 100) / 100,
    { rng, price, drift, volatility, spare },
  ];
}

/** Takes `count` steps: the prices and the state after them. */
export function tickerTake(
  state: TickerState,
  count: number,
): [number[], TickerState] {
  const prices: number[] = [];
  let current = state;
  for (let i = 0; i < count; i++) {
    let price: number;
    [price, current] = tickerStep(current);
    prices.push(price);
  }
  return [prices, current];
}
