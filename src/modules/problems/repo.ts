import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/client.ts';
import type { ProblemStatus } from '../../db/types.ts';

export type ProblemFilter = {
  regionPrefixes: string[] | 'all';
  channel?: string;
  kind?: string;
  region?: string;
  status?: ProblemStatus;
  from?: Date;
  to?: Date;
  q?: string;
  /** The triage queue: new problems already triaged, misconduct first. */
  queue?: boolean;
  misconductOnly?: boolean;
  limit: number;
  offset: number;
};

const LIST_COLUMNS = [
  'problem.id', 'problem.tracking_code', 'problem.channel', 'channel.name as channel_name', 'problem.title', 'problem.kind_code', 'problem.kind_text',
  'problem.reported_at', 'problem.region_code', 'region.name as region_name', 'problem.region_text', 'problem.address', 'problem.status', 'problem.flags',
  'problem.source_count', 'problem.confidential', 'problem.reporter_name_mask', 'problem.reporter_phone_mask',
  'problem.domain_code', 'problem.misconduct', 'problem.triage',
] as const;

export const problemsRepo = {
  async list(db: Queryable, f: ProblemFilter) {
    let q = db.selectFrom('problem').innerJoin('channel', 'channel.code', 'problem.channel').leftJoin('region', 'region.code', 'problem.region_code');
    if (f.regionPrefixes !== 'all') {
      const prefixes = f.regionPrefixes;
      if (!prefixes.length) return { rows: [], total: 0 };
      q = q.where((eb) => eb.or(prefixes.map((p) => eb('problem.region_code', 'like', `${p}%`))));
    }
    if (f.channel) q = q.where('problem.channel', '=', f.channel);
    if (f.kind) q = q.where('problem.kind_code', '=', f.kind);
    if (f.region) q = q.where('problem.region_code', 'like', `${f.region}%`);
    if (f.status) q = q.where('problem.status', '=', f.status);
    if (f.from) q = q.where('problem.reported_at', '>=', f.from);
    if (f.to) q = q.where('problem.reported_at', '<', f.to);
    if (f.q) q = q.where((eb) => eb.or([eb('problem.title', 'like', `%${f.q}%`), eb('problem.body', 'like', `%${f.q}%`), eb('problem.tracking_code', '=', f.q!)]));
    if (f.queue) q = q.where('problem.status', '=', 'new').where('problem.triaged_at', 'is not', null);
    if (f.misconductOnly) q = q.where(sql<boolean>`cardinality(problem.misconduct) > 0`);
    let ordered = q.select(LIST_COLUMNS);
    if (f.queue) ordered = ordered.orderBy(sql`cardinality(problem.misconduct) > 0`, 'desc');
    const [rows, total] = await Promise.all([
      ordered.orderBy('problem.reported_at', 'desc').orderBy('problem.id', 'desc').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: total.n };
  },

  get(db: Queryable, id: number) {
    return db
      .selectFrom('problem')
      .innerJoin('channel', 'channel.code', 'problem.channel')
      .leftJoin('region', 'region.code', 'problem.region_code')
      .select([...LIST_COLUMNS, 'problem.body', 'problem.target_text', 'problem.unit_text', 'problem.domain_code', 'problem.reporter_name_enc', 'problem.reporter_phone_enc', 'problem.created_at', 'problem.updated_at'])
      .where('problem.id', '=', id)
      .executeTakeFirst();
  },

  sources(db: Queryable, problemId: number) {
    return db
      .selectFrom('problem_source')
      .innerJoin('raw_record', 'raw_record.id', 'problem_source.raw_record_id')
      .innerJoin('channel', 'channel.code', 'problem_source.channel')
      .select([
        'problem_source.id', 'problem_source.channel', 'channel.name as channel_name', 'problem_source.external_id', 'problem_source.version', 'problem_source.link_reason',
        'problem_source.source_state', 'problem_source.handled_by', 'problem_source.reply', 'problem_source.replied_at', 'problem_source.satisfaction',
        'problem_source.linked_at', 'raw_record.payload', 'raw_record.received_at',
      ])
      .where('problem_source.problem_id', '=', problemId)
      .orderBy('problem_source.channel')
      .orderBy('problem_source.external_id')
      .orderBy('problem_source.version')
      .execute();
  },

  confirmTriage(tx: Tx, id: number, domain: string, kind: string) {
    return tx.updateTable('problem').set({ domain_code: domain, kind_code: kind, status: 'triaged', updated_at: new Date() }).where('id', '=', id).where('status', '=', 'new').executeTakeFirst();
  },

  insertFeedback(tx: Tx, rows: { problem_id: number; target: 'domain' | 'kind'; predicted: string | null; chosen: string; user_id: number | null }[]) {
    return tx.insertInto('triage_feedback').values(rows).execute();
  },

  byTrackingCode(db: Queryable, code: string) {
    return db
      .selectFrom('problem')
      .leftJoin('report_kind', 'report_kind.code', 'problem.kind_code')
      .select(['problem.id', 'problem.tracking_code', 'problem.title', 'problem.status', 'problem.reported_at', 'problem.updated_at', 'report_kind.name as kind_name'])
      .where('problem.tracking_code', '=', code)
      .executeTakeFirst();
  },

  /** Region codes of the governments in the user's scope: a district's people see the district's problems. */
  governmentRegions(db: Queryable, unitPaths: string[]) {
    if (!unitPaths.length) return Promise.resolve([]);
    return db
      .selectFrom('unit')
      .select('region_code')
      .where('kind', 'in', ['government', 'township'])
      .where('region_code', 'is not', null)
      .where((eb) => eb.or(unitPaths.map((p) => eb('path', '=', p))))
      .execute();
  },
};
