// Stand-in for k6's `k6` module: check() records every named check, fail() throws, sleep() is a no-op.
export const checks = [];

export function check(value, sets) {
  let ok = true;
  for (const [name, fn] of Object.entries(sets)) {
    const passed = Boolean(fn(value));
    checks.push({ name, passed });
    ok &&= passed;
  }
  return ok;
}

export function fail(message) {
  throw new Error(message);
}

export function sleep() {}
