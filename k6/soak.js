// Soak test: moderate load held for a long time to surface leaks and slow degradation.
// The default is short so it runs anywhere; real soaks use DURATION=1h or more.
//   k6 run k6/soak.js
//   k6 run -e VUS=20 -e DURATION=2h k6/soak.js
import { sleep } from 'k6';
import { THRESHOLDS, envDuration, envInt, browse, buyCheapItem, health, scoreTransaction, signUp } from './lib/shop.js';

const VUS = envInt('VUS', 3);
const RAMP = envDuration('RAMP_DURATION', '2s');

export const options = {
  stages: [
    { target: VUS, duration: RAMP },
    { target: VUS, duration: envDuration('DURATION', '10s') },
    { target: 0, duration: RAMP },
  ],
  thresholds: Object.assign({}, THRESHOLDS, {
    // Latency late in the run must not drift far from the start.
    'http_req_duration{name:GET /api/products}': ['p(95)<300'],
  }),
  tags: { test_type: 'soak' },
};

const sessions = {};

export default function () {
  browse();
  scoreTransaction();
  if (!sessions[__VU]) sessions[__VU] = signUp('soak');
  // A fresh account every 20 orders keeps the FDS order-velocity rule out of the picture.
  if (__ITER % 20 === 19) sessions[__VU] = signUp('soak');
  if (sessions[__VU] && __ITER % 4 === 0) buyCheapItem(sessions[__VU]);
  health();
  sleep(envInt('THINK_MS', 500) / 1000);
}
