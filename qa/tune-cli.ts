import type { Command } from '../cli/main.ts';
export const tuneCommand: Command = { summary: 'todo', usage: 'todo', async run() { return 2; } };
