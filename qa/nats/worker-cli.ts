import type { Command } from '../../cli/main.ts';
export const workerCommand: Command = { summary: 'todo', usage: 'todo', async run() { return 2; } };
