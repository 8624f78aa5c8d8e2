import { parentPort } from 'node:worker_threads';
import { FieldCipher } from '../../lib/crypto.ts';
import type { FromWorker, ToWorker } from './prepare-pool.ts';
import { Preparer } from './prepare.ts';

/** A worker thread that prepares batches of rows for the imports that opened a session on it (prepare-pool.ts). */
const port = parentPort!;
const sessions = new Map<number, Preparer | Error>();
const send = (m: FromWorker) => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  if (m.type === 'open') {
    try {
      sessions.set(m.session, new Preparer(m.setup, new FieldCipher(m.keyHex)));
    } catch (e) {
      sessions.set(m.session, e as Error); // reported with the session's first batch
    }
  } else if (m.type === 'close') sessions.delete(m.session);
  else {
    try {
      const preparer = sessions.get(m.session);
      if (!preparer) throw new Error(`导入会话 ${m.session} 未打开`);
      if (preparer instanceof Error) throw preparer;
      const batch = preparer.run(m.rows);
      port.postMessage({ type: 'batch', id: m.id, batch } satisfies FromWorker, [batch.data.buffer as ArrayBuffer]);
    } catch (e) {
      send({ type: 'failed', id: m.id, message: (e as Error).message || String(e) });
    }
  }
});
send({ type: 'ready' });
