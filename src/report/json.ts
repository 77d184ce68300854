import type { Renderer } from './types.js';

/** The stored run as JSON, the shape of the shared run model. */
export const jsonRenderer: Renderer = {
  name: 'json',
  extension: 'json',
  render: (run) => `${JSON.stringify(run, null, 2)}\n`,
};
