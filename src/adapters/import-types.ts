import type { Case, CiInfo, Environment, RunInput } from '../model/index.js';

/** What the CLI decides for an imported run before the report is read. */
export interface ImportBase {
  readonly id: string;
  /** The run name given with --name; importers fall back to a name from the report or file. */
  readonly name: string | null;
  readonly environment: Environment;
  readonly executedBy: string;
  readonly ci: CiInfo | null;
  readonly runGroup: string | null;
  /** Used when the report carries no start time of its own. */
  readonly importedAt: string;
  /** Run kind requested with --kind (JUnit only). */
  readonly kind: 'e2e' | 'api' | 'perf' | 'chaos' | 'canary' | null;
}

/**
 * Reads one report file into a complete run (trigger `import`). Throws a UsageError naming the file
 * and what was expected when the file is malformed or is another tool's output.
 */
export type Importer = (file: string, base: ImportBase) => Promise<RunInput>;

/**
 * Reads one report file handing each case to `sink` as it is read (ordinals in any order, each
 * once), and returns the run without them (`cases: []`, `totals` counted from them). Memory stays
 * bounded by one case, not by the file.
 */
export type StreamingImporter = (file: string, base: ImportBase, sink: (c: Case) => Promise<void> | void) => Promise<RunInput>;
