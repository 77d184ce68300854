// Load test: a steady stream of shoppers at the expected traffic level.
//   k6 run k6/load.js
//   k6 run -e BASE_URL=http://127.0.0.1:3000 -e TARGET_TPS=20 -e DURATION=5m -e VUS=20 k6/load.js
// TARGET_TPS is the rate of iterations (one browse + one FDS score, plus a checkout every
// CHECKOUT_EVERY iterations) started per second by the constant-arrival-rate executor.
import { sleep } from 'k6';
import { THRESHOLDS, envDuration, envInt, browse, buyCheapItem, scoreTransaction, signUp } from './lib/shop.js';

const TARGET_TPS = envInt('TARGET_TPS', 5);
const VUS = envInt('VUS', 5);
const CHECKOUT_EVERY = envInt('CHECKOUT_EVERY', 5);

export const options = {
  scenarios: {
    load: {
      executor: 'constant-arrival-rate',
      rate: TARGET_TPS,
      timeUnit: '1s',
      duration: envDuration('DURATION', '10s'),
      preAllocatedVUs: VUS,
      maxVUs: envInt('MAX_VUS', VUS * 2),
    },
  },
  thresholds: THRESHOLDS,
  tags: { test_type: 'load' },
};

const sessions = {};

export default function () {
  browse();
  scoreTransaction();
  if (__ITER % CHECKOUT_EVERY === 0) {
    // One account per VU, created lazily: signup is not what this test measures.
    if (!sessions[__VU]) sessions[__VU] = signUp('load');
    if (sessions[__VU]) buyCheapItem(sessions[__VU]);
  }
  sleep(0.1);
}
