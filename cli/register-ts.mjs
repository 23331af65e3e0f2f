// Lets Node 20 run the project's TypeScript directly (Node 22's type stripping is not available here).
// esbuild transforms each .ts file on load; type checking is `npm run typecheck`'s job, not this hook's.
import { register } from 'node:module';
register('./ts-loader.mjs', import.meta.url);
