import assert from "node:assert/strict";
import { TokenBucket } from "./token_bucket.ts";

Deno.test("token bucket: burst, then refill at the rate", () => {
  let now = 0;
  const bucket = new TokenBucket(2, 3, () => now);
  assert.ok(bucket.full);
  assert.ok(bucket.take() && bucket.take() && bucket.take());
  assert.equal(bucket.take(), false);
  now += 499;
  assert.equal(bucket.take(), false, "not yet one token");
  now += 1;
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
  now += 10_000;
  assert.ok(bucket.full, "refills, but only up to the burst");
  assert.ok(bucket.take() && bucket.take() && bucket.take());
  assert.equal(bucket.take(), false);
});
