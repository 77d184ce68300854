import type { Run } from '../model/index.js';

export interface RenderOptions {
  readonly color: boolean;
  /** Terminal width for tables; renderers wrap or truncate to it. */
  readonly width?: number;
  /** `full` lists every case and artifact (runs show); `summary` what a live run prints at its end. */
  readonly detail?: 'summary' | 'full';
}

/** A renderer is a name and a pure function of the run. */
export interface Renderer {
  readonly name: string;
  /** File extension used when the output goes to a file by default. */
  readonly extension: string;
  render(run: Run, options: RenderOptions): string;
}

export const REPORT_FORMATS = ['table', 'json', 'junit', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
