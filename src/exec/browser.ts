import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

/** The command that opens a file or URL in the desktop's browser, or null when there is no desktop. */
export function browserOpener(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): { file: string; args: string[] } | null {
  if (env.SHOPFDS_BROWSER) return { file: env.SHOPFDS_BROWSER, args: [] };
  if (platform === 'darwin') return { file: 'open', args: [] };
  if (platform === 'win32') return { file: 'cmd', args: ['/c', 'start', '""'] };
  // Linux and the BSDs: only with a display; a headless box has nowhere to show a page.
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'xdg-open'), constants.X_OK);
      return { file: join(dir, 'xdg-open'), args: [] };
    } catch {
      // not here
    }
  }
  return null;
}

/** Opens `target` in the browser, detached from this process. False when no browser can be opened. */
export async function openInBrowser(target: string, env: Readonly<Record<string, string | undefined>>): Promise<boolean> {
  const opener = browserOpener(env);
  if (!opener) return false;
  try {
    const child = execa(opener.file, [...opener.args, target], { detached: true, stdio: 'ignore', env: env as NodeJS.ProcessEnv, reject: false });
    child.unref();
    const result = await Promise.race([child, new Promise<null>((r) => setTimeout(() => r(null), 1500).unref())]);
    return result === null || result.exitCode === 0;
  } catch {
    return false;
  }
}
