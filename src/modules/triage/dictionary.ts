import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { shortName } from '../intake/places.ts';
import { setUserDictionary } from '../../lib/text.ts';

/** The database and stamp of the user dictionary this process's segmenter was last given, and its words. */
let loaded: { database: string; stamp: string; regions: string } | null = null;
let given = '';

/** The divisions' names and former names, and each without its suffix (峨桥镇 → 峨桥) where two characters are left. */
export function divisionNames(regions: { name: string; former_names: string[] }[]): string[] {
  const names = new Set<string>();
  for (const r of regions) {
    for (const name of [r.name, ...r.former_names]) {
      names.add(name);
      const short = shortName(name);
      if (short) names.add(short);
    }
  }
  return [...names].sort();
}

/**
 * Gives the shared segmenter (src/lib/text.ts) the city's user dictionary when it changed since this process last
 * loaded it: one small query when nothing changed. Every change to `user_word` replaces the stamp in the same
 * transaction, so an instance that calls this before segmenting sees another instance's change.
 */
export async function syncUserDictionary(ctx: Pick<AppContext, 'db' | 'database'>): Promise<boolean> {
  // the regions (a few dozen rows) are compared whole: a former name added is a word the segmenter must know
  const { rows: [row] } = await sql<{ stamp: string | null; regions: string | null }>`
    select (select stamp from user_word_stamp limit 1) as stamp,
           (select md5(string_agg(name || ':' || array_to_string(former_names, ','), '|' order by code)) from region) as regions`.execute(ctx.db);
  const stamp = row?.stamp ?? '';
  const regions = row?.regions ?? '';
  if (loaded?.database === ctx.database.label && loaded.stamp === stamp && loaded.regions === regions) return false;
  // the stamps are read first: a change committed in between is loaded now and merely loaded again next time
  const [words, divisions] = await Promise.all([
    ctx.db.selectFrom('user_word').select('word').orderBy('word').execute(),
    ctx.db.selectFrom('region').select(['name', 'former_names']).where('level', '!=', 'province').execute().then(divisionNames),
  ]);
  const list = words.map((w) => w.word);
  const key = `${list.join('\n')}\u0000${divisions.join('\n')}`;
  // rebuilding the segmenter takes a moment: only when the words really changed (not for an empty first load)
  if (key !== given) setUserDictionary(list, divisions);
  given = key;
  loaded = { database: ctx.database.label, stamp, regions };
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
