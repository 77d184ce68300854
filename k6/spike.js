// Spike test: normal traffic, a sudden burst, then back to normal. Checks that the shop and its
// FDS keep answering during the burst and recover after it.
//   k6 run k6/spike.js
//   k6 run -e TARGET_TPS=5 -e SPIKE_TPS=200 -e SPIKE_DURATION=1m -e VUS=50 k6/spike.js
import { THRESHOLDS, envDuration, envInt, browse, scoreTransaction, health } from './lib/shop.js';

const BASE_TPS = envInt('TARGET_TPS', 5);
const SPIKE_TPS = envInt('SPIKE_TPS', 50);
const WARM = envDuration('WARM_DURATION', '3s');
const SPIKE = envDuration('SPIKE_DURATION', '5s');
const VUS = envInt('VUS', 10);

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: BASE_TPS,
      timeUnit: '1s',
      preAllocatedVUs: VUS,
      maxVUs: envInt('MAX_VUS', VUS * 5),
      stages: [
        { target: BASE_TPS, duration: WARM },
        { target: SPIKE_TPS, duration: '1s' },
        { target: SPIKE_TPS, duration: SPIKE },
        { target: BASE_TPS, duration: '1s' },
        { target: BASE_TPS, duration: WARM },
      ],
    },
  },
  thresholds: THRESHOLDS,
  tags: { test_type: 'spike' },
};

export default function () {
  browse();
  scoreTransaction();
  if (__ITER % 10 === 0) health();
}
