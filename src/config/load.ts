import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ConfigError, decodeText } from '../model/index.js';
import { ConfigFileSchema, type ConfigFile } from './schema.js';

const CONFIG_FILES = ['shopfds.config.json', 'shopfds.config.yaml', 'shopfds.config.yml'];

export interface LoadedConfig {
  /** The file read, or null when there is none. */
  readonly file: string | null;
  readonly values: ConfigFile;
}

/** Finds and validates the config file in `cwd` (or the one named explicitly). Problems are collected. */
export async function loadConfigFile(cwd: string, explicit?: string): Promise<LoadedConfig> {
  const file = explicit ? resolve(cwd, explicit) : CONFIG_FILES.map((f) => join(cwd, f)).find((f) => existsSync(f));
  if (!file) return { file: null, values: {} };
  const shown = relative(cwd, file) || file;
  let text: string;
  try {
    text = decodeText(readFileSync(file));
  } catch (cause) {
    throw new ConfigError([`${shown}: cannot read: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`]);
  }
  let data: unknown;
  try {
    if (file.endsWith('.json')) data = JSON.parse(text);
    else data = (await import('yaml')).parse(text);
  } catch (cause) {
    throw new ConfigError([`${shown}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(cause as Error).message.split('\n')[0]}`]);
  }
  const parsed = ConfigFileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const keys = i.code === 'unrecognized_keys' ? `${[...i.path, ...i.keys].join('.')}` : i.path.join('.');
        return `${shown}: ${keys || '(root)'}: ${i.code === 'unrecognized_keys' ? 'unknown key' : i.message}`;
      }),
    );
  }
  return { file, values: parsed.data };
}
