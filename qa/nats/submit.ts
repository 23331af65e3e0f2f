import type { Plan, Collector } from '../plan.ts';
export async function submitToNats(_url: string, _plan: Plan, _c: Collector, _o: object): Promise<void> { throw new Error('todo'); }
