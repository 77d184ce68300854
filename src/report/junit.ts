import type { Renderer } from './types.js';

export const junitRenderer: Renderer = {
  name: 'junit',
  extension: 'xml',
  render() {
    throw new Error('the JUnit renderer is not built yet');
  },
};
