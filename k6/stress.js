// Stress test: raise the load step by step past normal traffic to find where latency or errors
// break the thresholds. Each step holds STEP_DURATION at a multiple of TARGET_TPS.
//   k6 run k6/stress.js
//   k6 run -e TARGET_TPS=50 -e STEPS=6 -e STEP_DURATION=2m -e VUS=100 k6/stress.js
import { THRESHOLDS, envDuration, envInt, browse, buyCheapItem, scoreTransaction, signUp } from './lib/shop.js';

const TARGET_TPS = envInt('TARGET_TPS', 5);
const STEPS = envInt('STEPS', 3);
const STEP_DURATION = envDuration('STEP_DURATION', '3s');
const VUS = envInt('VUS', 10);

const stages = [];
for (let i = 1; i <= STEPS; i++) {
  stages.push({ target: TARGET_TPS * i, duration: '1s' });
  stages.push({ target: TARGET_TPS * i, duration: STEP_DURATION });
}
stages.push({ target: 0, duration: '2s' });

export const options = {
  scenarios: {
    stress: {
      executor: 'ramping-arrival-rate',
      startRate: TARGET_TPS,
      timeUnit: '1s',
      preAllocatedVUs: VUS,
      maxVUs: envInt('MAX_VUS', VUS * STEPS * 2),
      stages,
    },
  },
  thresholds: THRESHOLDS,
  tags: { test_type: 'stress' },
};

const sessions = {};

export default function () {
  browse();
  scoreTransaction();
  if (__ITER % 5 === 0) {
    if (!sessions[__VU]) sessions[__VU] = signUp('stress');
    if (sessions[__VU]) buyCheapItem(sessions[__VU]);
  }
}
