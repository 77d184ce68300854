import type { Renderer } from './types.js';

export const markdownRenderer: Renderer = {
  name: 'markdown',
  extension: 'md',
  render() {
    throw new Error('the markdown renderer is not built yet');
  },
};
