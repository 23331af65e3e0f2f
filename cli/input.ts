/** Reading the files a command is given, with a message that names the file, what it was meant to be and why not. */
import { readFileSync, statSync } from 'node:fs';
import { CliError } from './errors.ts';
import { EXIT } from './exit-codes.ts';

const WHY: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a folder', ENOTDIR: 'a part of the path is not a folder' };

/** Why a file system call failed, in words. */
export function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && WHY[code]) ?? (e as Error).message;
}

/** The bytes of `path`, or a CliError (EXIT.CANNOT_CHECK): "cannot read <what> <path>: no such file". */
export function readInput(path: string, what: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${fileProblem(e)}`, EXIT.CANNOT_CHECK);
  }
}

/** A JSON file parsed, or a CliError naming the file and the JSON problem (line and column when Node gives them). */
export function readJsonInput(path: string, what: string): unknown {
  const text = Buffer.from(readInput(path, what)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path}: ${what} is not valid JSON: ${(e as Error).message}`, EXIT.CANNOT_CHECK);
  }
}
