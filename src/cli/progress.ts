import type { OutputStream, Progress, ResolvedGlobals } from './context.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A spinner line on an interactive stderr, plain lines in CI, and silence for live updates with
 * --json (permanent lines still go to stderr, so stdout stays machine-readable).
 */
export function createProgress(stream: OutputStream, globals: Pick<ResolvedGlobals, 'interactive' | 'json'>): Progress {
  let current = '';
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  let shown = false;
  const columns = () => Math.max(20, (stream.columns ?? 100) - 1);
  const draw = () => {
    const text = `${FRAMES[frame++ % FRAMES.length]} ${current}`;
    stream.write(`\r\x1b[2K${text.length > columns() ? `${text.slice(0, columns() - 1)}…` : text}`);
    shown = true;
  };
  const clear = () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    update(text) {
      if (!globals.interactive) return;
      current = text;
      if (!timer) {
        timer = setInterval(draw, 80);
        timer.unref();
      }
      draw();
    },
    line(text) {
      clear();
      stream.write(`${text}\n`);
      if (timer && current) draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      current = '';
      clear();
    },
  };
}
