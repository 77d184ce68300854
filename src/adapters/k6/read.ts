import { open } from 'node:fs/promises';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { K6JsonStream, type K6StreamOptions } from './stream.js';

const CHUNK = 4 << 20;

/**
 * Streams a k6 JSON output file (plain, or gzipped when the name ends in `.gz`, as k6 writes it for
 * `--out json=file.gz`) through a K6JsonStream, one reused 1 MiB buffer at a time.
 */
export async function readK6JsonFile(file: string, options: K6StreamOptions = {}, into?: K6JsonStream): Promise<K6JsonStream> {
  const stream = into ?? new K6JsonStream(options);
  if (file.endsWith('.gz')) {
    const source = createReadStream(file).pipe(createGunzip());
    for await (const chunk of source) stream.push(chunk as Buffer);
    stream.end();
    return stream;
  }
  // Synchronous reads into one buffer: from the page cache this is several times faster than
  // awaiting each chunk, and the caller has nothing else to do meanwhile.
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      stream.push(bytesRead === CHUNK ? buffer : buffer.subarray(0, bytesRead));
    }
  } finally {
    closeSync(fd);
  }
  stream.end();
  return stream;
}

/** Reads the first line of a file (at most 64 KiB), for format detection. */
export async function readFirstLine(file: string): Promise<string> {
  if (file.endsWith('.gz')) {
    const source = createReadStream(file).pipe(createGunzip());
    let text = '';
    for await (const chunk of source) {
      text += (chunk as Buffer).toString('utf8');
      const nl = text.indexOf('\n');
      if (nl !== -1 || text.length > 65536) {
        source.destroy();
        return (nl === -1 ? text : text.slice(0, nl)).trim();
      }
    }
    return text.trim();
  }
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8', 0, bytesRead);
    const nl = text.indexOf('\n');
    return (nl === -1 ? text : text.slice(0, nl)).replace(/^\uFEFF/, '').trim();
  } finally {
    await handle.close();
  }
}
