import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { UsageError, sniffEncoding } from '../model/index.js';

function readHead(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const n = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams a text file as decoded string chunks: UTF-8 with or without a BOM, and UTF-16 (LE/BE,
 * with a BOM or recognised by its zero bytes) decoded. `label` names the file in errors.
 */
export async function* textChunks(file: string, label: string, highWaterMark = 1 << 20): AsyncGenerator<string> {
  let head: Buffer;
  try {
    head = readHead(file, 4);
  } catch (error) {
    throw new UsageError(`${label}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const { encoding, bom } = sniffEncoding(head);
  const decoder = new TextDecoder(encoding);
  const stream = createReadStream(file, { start: bom, highWaterMark });
  try {
    for await (const chunk of stream) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      if (text) yield text;
    }
  } catch (error) {
    throw new UsageError(`${label}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Reads a whole text file, decoding as {@link textChunks} does (the BOM is dropped). */
export async function readTextFile(file: string, label: string): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of textChunks(file, label, 8 << 20)) parts.push(chunk);
  return parts.join('');
}
