import type { Renderer, ReportFormat } from './types.js';

export * from './types.js';

/** Loads one renderer; each lives in its own module so only the one used is loaded. */
export async function getRenderer(format: ReportFormat): Promise<Renderer> {
  switch (format) {
    case 'table':
      return (await import('./table.js')).tableRenderer;
    case 'json':
      return (await import('./json.js')).jsonRenderer;
    case 'junit':
      return (await import('./junit.js')).junitRenderer;
    case 'markdown':
      return (await import('./markdown.js')).markdownRenderer;
    case 'html':
      return (await import('./html.js')).htmlRenderer;
  }
}
