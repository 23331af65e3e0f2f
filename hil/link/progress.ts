/** The flash command's progress line on a terminal: phase, a bar, bytes and bytes per second (stderr, rewritten in place). */
import type { FlashProgress } from './flash.ts';

export function progressPrinter(stream: NodeJS.WriteStream): ((p: FlashProgress) => void) & { end(): void } {
  let last = 0;
  let shown = false;
  const print = ((p: FlashProgress) => {
    if (!stream.isTTY) return;
    const now = Date.now();
    if (p.phase === 'upload' && p.done < p.total && now - last < 100) return;
    last = now;
    const width = 30;
    const fill = p.total ? Math.round((p.done / p.total) * width) : 0;
    const rate = p.phase === 'upload' ? `  ${Math.round(p.bytesPerSecond)} B/s` : '';
    stream.write(`\r${p.phase.padEnd(8)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${p.done}/${p.total} B${rate}\x1b[K`);
    shown = true;
  }) as ((p: FlashProgress) => void) & { end(): void };
  print.end = () => {
    if (shown) stream.write('\r\x1b[K');
  };
  return print;
}
