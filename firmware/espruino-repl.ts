/**
 * Espruino's REPL on a serial line, as `edgerule install-runtime` drives it (docs/HOSTS.md, "Installing on an
 * Espruino board"). Getting a prompt follows Espruino's own tools (shared research notes, DEVICES.md): a newline and
 * 500 ms for `>`; `debug>` gets Ctrl-C; otherwise Ctrl-C, 500 ms, Ctrl-C again. Commands are sent one line at a
 * time with echo off (`echo(0)`, and DLE before each line), and each prints its answer between markers that
 * carry the command's number, so an earlier command's late answer or the banner of a restart is never taken for it.
 */
import type { Transport } from '../hil/link/transport.ts';

export class ReplError extends Error {}

export class Repl {
  private text = '';
  private waiter: (() => void) | null = null;
  private next = 1;
  /** Everything the board printed that was not an answer (shown when something goes wrong). */
  seen = '';

  constructor(private readonly t: Transport, private readonly o: { timeoutMs: number; log?: (l: string) => void }) {
    t.onData((b) => {
      this.text += Buffer.from(b).toString('latin1');
      this.seen = (this.seen + Buffer.from(b).toString('latin1')).slice(-2000);
      this.waiter?.();
    });
  }

  /** Waits until the output matches `re` (output before the match is consumed); throws naming `what` after `ms`. */
  private async expect(re: RegExp, ms: number, what: string): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.text);
      if (m) {
        this.text = this.text.slice(m.index! + m[0].length);
        return m;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new ReplError(`no ${what} within ${ms} ms; the board printed: ${JSON.stringify(this.seen.slice(-300))}`);
      await new Promise<void>((res) => {
        const timer = setTimeout(res, left);
        this.waiter = () => { clearTimeout(timer); res(); };
      });
      this.waiter = null;
    }
  }

  private async quiet(ms: number): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    const t = this.text;
    this.text = '';
    return t;
  }

  private send(s: string): void {
    this.t.write(new Uint8Array(Buffer.from(s, 'latin1')));
  }

  /**
   * A `>` prompt, recovering as Espruino's tools do: echo back on (a board left with echo off prints no prompt),
   * then `debug>` gets Ctrl-C, and a running program Ctrl-C, 500 ms, Ctrl-C again. Then echo off.
   */
  async prompt(): Promise<void> {
    const ready = (out: string) => />\s*$/.test(out) && !/debug>\s*$/.test(out);
    for (let attempt = 0; attempt < 3; attempt++) {
      this.send('\n');
      let out = await this.quiet(500);
      if (!ready(out) && !/debug>\s*$/.test(out)) {
        this.send('\x10echo(1);\n');
        out = await this.quiet(500);
      }
      if (/debug>\s*$/.test(out)) {
        this.send('\x03');
        out = await this.quiet(500);
      }
      if (!ready(out)) {
        this.send('\x03');
        await this.quiet(500);
        this.send('\x03');
        await this.quiet(500);
        this.send('\n');
        out = await this.quiet(500);
      }
      if (ready(out)) {
        this.send('\x10echo(0);\n');
        await this.quiet(300);
        return;
      }
    }
    throw new ReplError(`no Espruino prompt ('>') after a newline, echo(1) and Ctrl-C, three times; the board printed: ${JSON.stringify(this.seen.slice(-300))}`);
  }

  /** Echo back on: the board is left as a person expects it. */
  echoOn(): void {
    this.send('\x10echo(1);\n');
  }

  /** Runs one line of JavaScript whose value is a string or number; returns it as text. */
  async eval(expr: string, timeoutMs = this.o.timeoutMs): Promise<string> {
    const id = this.next++;
    this.send(`\x10print("<<R${id} "+(${expr})+">>");\n`);
    const m = await this.expect(new RegExp(`<<R${id} ([^>]*)>>`), timeoutMs, `answer to ${expr.length > 60 ? `${expr.slice(0, 60)}…` : expr}`);
    if (/Uncaught|Error/.test(m[1])) throw new ReplError(`${expr.slice(0, 60)}: ${m[1]}`);
    return m[1];
  }

  /** Sends `load()` (restart: the boot code runs) and returns what the board prints in the next `ms`. */
  async restart(ms: number): Promise<string> {
    this.text = '';
    this.send('\x10echo(1);load();\n');
    await new Promise((r) => setTimeout(r, ms));
    return this.text;
  }
}
