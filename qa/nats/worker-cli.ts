/** `edgerule worker --nats URL`: serve QA jobs from a NATS JetStream work queue (docs/SCALE.md). */
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import type { Command } from '../../cli/command.ts';
import { EXIT } from '../../cli/exit-codes.ts';
import { runWorker } from './worker.ts';

export const workerCommand: Command = {
  summary: 'serve edgerule qa / tune jobs from a NATS JetStream work queue (run one per machine of a farm)',
  usage: `usage: edgerule worker --nats <url> [--jobs <n>] [--cache <dir>] [--name <name>] [--max-idle <s>] [--quiet]

Pulls jobs (one drive replayed through one bundle) from the work queue that \`edgerule qa --nats\` and
\`edgerule tune --nats\` fill, replays them with the device runtime on worker threads and publishes the results.
Run as many as you like, on any machines that reach the server and read the corpus paths (or use --upload).
  --nats <url>       NATS server, e.g. nats://farm-1:4222
  --jobs <n>         jobs at a time (worker threads; default: CPU count)
  --cache <dir>      where traces from the object store are kept (default: <tmp>/edgerule-worker-cache)
  --name <name>      name in logs (default: host:pid)
  --max-idle <s>     exit after this many seconds without a job (default: run until SIGINT/SIGTERM)
  --quiet            no per-job lines on stderr`,
  async run(argv, io) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { nats: { type: 'string' }, jobs: { type: 'string' }, cache: { type: 'string' }, name: { type: 'string' }, 'max-idle': { type: 'string' }, quiet: { type: 'boolean' } } }));
    } catch (e) {
      io.error(`edgerule worker: ${(e as Error).message}\n\n${this.usage}`);
      return EXIT.USAGE;
    }
    const threads = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
    const maxIdle = values['max-idle'] === undefined ? undefined : Number(values['max-idle']);
    if (!values.nats || !(Number.isInteger(threads) && threads >= 1) || (maxIdle !== undefined && !(maxIdle > 0))) {
      io.error(`edgerule worker: give --nats <url>${values.jobs ? '; --jobs must be a whole number ≥ 1' : ''}${values['max-idle'] ? '; --max-idle must be > 0 seconds' : ''}\n\n${this.usage}`);
      return EXIT.USAGE;
    }
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => { stop = resolve; });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const log = values.quiet ? undefined : (line: string) => io.error(line);
    log?.(`edgerule worker: ${threads} thread(s), serving ${values.nats}`);
    const stats = await runWorker({ url: values.nats, threads, cacheDir: values.cache, name: values.name, maxIdleMs: maxIdle === undefined ? undefined : maxIdle * 1000, log, stop: stopped });
    log?.(`edgerule worker: stopped after ${stats.jobs} job(s), ${stats.errors} error result(s)`);
    return EXIT.OK;
  },
};
