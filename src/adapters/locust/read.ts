import { createReadStream } from 'node:fs';
import type { LocustHistoryReader } from './stats.js';

/** Streams a --csv-full-history file through the history reader (bounded memory for any size). */
export async function readLocustHistoryFile(file: string, reader: LocustHistoryReader): Promise<void> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream) reader.push(chunk as string);
  reader.end();
}
