// Entry of a prepare worker thread (prepare-pool.ts). A worker starts without the TypeScript loader of the thread
// that spawned it (whether that came from `node --import tsx` or from bin/zhd.js's register()), so it registers its own.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker.ts');
