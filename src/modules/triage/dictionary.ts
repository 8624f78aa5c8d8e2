import type { AppContext } from '../../context.ts';
import { setUserDictionary } from '../../lib/text.ts';

/** The database and stamp of the user dictionary this process's segmenter was last given, and its words. */
let loaded: { database: string; stamp: string } | null = null;
let given = '';

/**
 * Gives the shared segmenter (src/lib/text.ts) the city's user dictionary when it changed since this process last
 * loaded it: one small query when nothing changed. Every change to `user_word` replaces the stamp in the same
 * transaction, so an instance that calls this before segmenting sees another instance's change.
 */
export async function syncUserDictionary(ctx: Pick<AppContext, 'db' | 'database'>): Promise<boolean> {
  const row = await ctx.db.selectFrom('user_word_stamp').select('stamp').executeTakeFirst();
  const stamp = row?.stamp ?? '';
  if (loaded?.database === ctx.database.label && loaded.stamp === stamp) return false;
  // the stamp is read first: a change committed in between is loaded now and merely loaded again next time
  const words = await ctx.db.selectFrom('user_word').select('word').orderBy('word').execute();
  const list = words.map((w) => w.word);
  // rebuilding the segmenter takes a moment: only when the words really changed (not for an empty first load)
  if (list.join('\n') !== given) setUserDictionary(list);
  given = list.join('\n');
  loaded = { database: ctx.database.label, stamp };
  return true;
}

/** Checks the dictionary every `ms` in this instance (for readers that segment outside triage, e.g. hot topics); returns the stop function. */
export function startUserDictionarySync(ctx: Pick<AppContext, 'db' | 'database' | 'log'>, ms = 60_000): () => void {
  const timer = setInterval(() => {
    syncUserDictionary(ctx).catch((err) => ctx.log.warn({ err }, '载入分词用户词典失败'));
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}
