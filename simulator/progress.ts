/** A progress bar on stderr for long replays: only when stderr is a terminal, redrawn at most 10 times a second. */
import type { Io } from '../cli/command.ts';

export interface Progress { update(done: number): void; done(): void }

const NONE: Progress = { update() {}, done() {} };

export function progressBar(total: number, label: string, io: Io): Progress {
  if (!io.stderrIsTTY || total < 200_000) return NONE;
  let last = 0;
  const started = performance.now();
  const width = 30;
  let drawn = false;
  return {
    update(done: number) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      const f = Math.min(1, done / total);
      const full = Math.round(f * width);
      const rate = done / ((now - started) / 1000);
      io.writeErr(`\r${label} [${'='.repeat(full)}${full < width ? '>' : ''}${' '.repeat(Math.max(0, width - full - 1))}] ${(f * 100).toFixed(0).padStart(3)}% ${(done / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} M samples, ${(rate / 1e6).toFixed(2)} M/s `);
      drawn = true;
    },
    done() {
      if (drawn) io.writeErr('\r' + ' '.repeat(width + label.length + 60) + '\r');
    },
  };
}
