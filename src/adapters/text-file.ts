import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { UsageError } from '../model/index.js';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of a file from its first bytes: a UTF-8 or UTF-16 byte order mark, or the zero bytes
 * UTF-16 puts next to ASCII characters. Returns the encoding and how many BOM bytes to skip.
 */
export function sniffEncoding(head: Uint8Array): { encoding: TextEncodingName; bom: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  if (head.length >= 4 && head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0) return { encoding: 'utf-16le', bom: 0 };
  if (head.length >= 4 && head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0) return { encoding: 'utf-16be', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
}

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
