import crypto from 'node:crypto';
import type { AppContext } from '../../context.ts';
import { isPersonalNumber, maskName, maskNumber, maskPhone, normalizePhone } from '../../lib/crypto.ts';
import { AppError, fieldError, forbidden, notFound } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { actorUserId, hasPermission, scopePaths, type Actor, type Permission } from '../auth/access.ts';
import type { Tx } from '../../db/client.ts';
import { ADAPTERS, isNoValue } from '../intake/adapters.ts';
import { jsonArray } from '../intake/files.ts';
import { describeRawRecord } from '../intake/raw-fields.ts';
import { ingest } from '../intake/pipeline.ts';
import { maskedForViewer, textMasker } from './masking.ts';
import { PROBLEM_STATUS_NAMES } from './labels.ts';
import { problemsRepo, type ProblemFilter } from './repo.ts';
import { regionScope as regionScopeOf } from './scope.ts';
import { hotTopics } from '../triage/hot-topics.ts';
import { trackingCodeAsTyped } from '../workorders/public.ts';

export type ProblemScope = { regionPrefixes: string[] | 'all'; orderUnitIds: number[] };

export type PublicReport = { title?: string; content: string; kind?: string; address?: string; region?: string; contactName?: string; contactPhone?: string; confidential?: boolean };

const CONFIDENTIAL = '（保密）';
const TOPIC_DOCS_MAX = 20_000;

/**
 * Masks every encrypted value of a raw record (numbers keep their ends, names their first character) and, for those
 * who may not see contacts, the phone and ID numbers written into its texts or sent as JSON numbers: as in the
 * problem's body, left out altogether in a 保密 report.
 */
function maskPayload(value: unknown, cipher: AppContext['cipher'], o: { confidential: boolean; seesContact: boolean }): unknown {
  if (Array.isArray(value)) return value.map((v) => maskPayload(v, cipher, o));
  if (typeof value === 'string') return textMasker(o.confidential, o.seesContact)(value);
  // a phone or ID number sent as a JSON number reads as its text would; counts, coordinates and Unix times stay numbers
  if (typeof value === 'number' && !o.seesContact && isPersonalNumber(value)) return textMasker(o.confidential, false)(String(value));
  if (value && typeof value === 'object') {
    if ('$sm4' in value && typeof (value as { $sm4: unknown }).$sm4 === 'string') {
      if (o.confidential) return CONFIDENTIAL;
      try {
        const plain = cipher.decrypt((value as { $sm4: string }).$sm4);
        if (isNoValue(plain)) return plain;
        const phone = normalizePhone(plain);
        if (phone) return maskPhone(phone);
        if (isPersonalNumber(plain)) return maskNumber(plain.normalize('NFKC'));
        return /^[\d\s+-]{5,}$/.test(plain) ? maskPhone(plain) : /^\d{1,3}(\.\d{1,3}){3}$/.test(plain) ? plain.replace(/\.\d+\.\d+$/, '.*.*') : maskName(plain);
      } catch {
        return '（无法解密）';
      }
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPayload(v, cipher, o)]));
  }
  return value;
}

/** The phone given on a report form, in the one form intake keeps (none if left blank); anything not a phone is refused. */
function formPhone(written: string | undefined): string | undefined {
  if (!written?.trim()) return undefined;
  const phone = normalizePhone(written);
  if (!phone) throw fieldError('contactPhone', '请填写正确的手机号或固定电话');
  return phone;
}

/** Merges one problem into another inside the caller's transaction: every source moves, the merge is recorded. */
export async function mergeProblems(tx: Tx, actor: Actor, m: { from: number; fromStatus: string; into: number; similarity: number; reason: string }) {
  const sourceIds = await problemsRepo.mergeInto(tx, m.from, m.into);
  // a reporter who asked for 保密 stays hidden behind the problem their report now belongs to
  await problemsRepo.carryConfidential(tx, m.from, m.into);
  const row = await problemsRepo.insertMerge(tx, { ...m, sourceIds, by: actorUserId(actor) });
  await recordAudit(tx, actor, { action: 'problem.merge', targetType: 'problem', targetId: m.into, summary: { mergeId: row.id, from: m.from, similarity: m.similarity, reason: m.reason } });
  return row.id;
}

export function createProblemsService(ctx: AppContext) {
  const { db, cipher } = ctx;

  const regionScope = (actor: Actor, permission: Permission) => regionScopeOf(db, actor, permission);

  async function visible(actor: Actor, id: number, permission: Permission = 'problem.read') {
    const p = await problemsRepo.get(db, id);
    if (!p) throw notFound(`问题 ${id} `);
    const scope = await regionScope(actor, permission);
    if (scope === 'all' || scope.some((prefix) => p.region_code?.startsWith(prefix))) return p;
    // a unit sees the problems it was given as work orders, for reading only
    if (permission === 'problem.read' && (await problemsRepo.hasOrderFor(db, id, await problemsRepo.unitIdsUnder(db, scopePaths(actor.principal, permission))))) return p;
    throw notFound(`问题 ${id} `);
  }

  /** What the actor may read: the regions of its governments, and the problems given to its units as work orders. */
  async function readScope(actor: Actor): Promise<ProblemScope> {
    const regionPrefixes = await regionScope(actor, 'problem.read');
    const orderUnitIds = regionPrefixes === 'all' ? [] : await problemsRepo.unitIdsUnder(db, scopePaths(actor.principal, 'problem.read'));
    return { regionPrefixes, orderUnitIds };
  }

  return {
    readScope,
    regionScope,

    async list(actor: Actor, f: Omit<ProblemFilter, 'regionPrefixes'>) {
      const { rows, total } = await problemsRepo.list(db, { ...f, ...(f.q ? { code: trackingCodeAsTyped(f.q) } : {}), ...(await readScope(actor)) });
      const seesContact = hasPermission(actor.principal, 'problem.contact');
      return { rows: rows.map((r) => maskedForViewer(r.confidential ? { ...r, reporter_name_mask: CONFIDENTIAL, reporter_phone_mask: null } : r, seesContact)), total };
    },

    async get(actor: Actor, id: number) {
      const { reporter_name_enc: _n, reporter_phone_enc: _p, ...p } = await visible(actor, id);
      const sources = await problemsRepo.sources(db, id);
      const seesContact = hasPermission(actor.principal, 'problem.contact');
      const mask = textMasker(p.confidential, seesContact);
      return {
        ...maskedForViewer(p, seesContact),
        reporter_name_mask: p.confidential ? CONFIDENTIAL : p.reporter_name_mask,
        reporter_phone_mask: p.confidential ? null : p.reporter_phone_mask,
        canRevealContact: seesContact && !!(p.reporter_name_mask || p.reporter_phone_mask),
        sources: sources.map((s) => {
          const payload = maskPayload(s.payload, cipher, { confidential: p.confidential, seesContact }) as Record<string, unknown>;
          return { ...s, reply: s.reply === null ? null : mask(s.reply), payload, fields: describeRawRecord(s.channel, payload) };
        }),
      };
    },

    /** The reporter's name and number in clear, for those allowed to call back; every reveal is audited. */
    async revealContact(actor: Actor, id: number) {
      if (!hasPermission(actor.principal, 'problem.contact')) throw forbidden('没有查看举报人联系方式的权限');
      const p = await visible(actor, id, 'problem.contact');
      await db.transaction().execute((tx) => recordAudit(tx, actor, { action: 'problem.reveal_contact', targetType: 'problem', targetId: id, summary: { confidential: p.confidential } }));
      return {
        name: p.reporter_name_enc ? cipher.decrypt(p.reporter_name_enc) : null,
        phone: p.reporter_phone_enc ? cipher.decrypt(p.reporter_phone_enc) : null,
        confidential: p.confidential,
      };
    },

    /** The public form (web_form) and staff entry (staff): one problem through the intake pipeline, answered with its tracking code. */
    async submitForm(channel: 'web_form' | 'staff', report: PublicReport & { unitName?: string; target?: string }, actor: Actor, tx?: Tx, o: { flags?: string[] } = {}) {
      const submissionId = crypto.randomUUID();
      const { contactPhone, ...rest } = report;
      const phone = formPhone(contactPhone);
      const row = { submissionId, submittedAt: new Date().toISOString(), ...rest, ...(phone && { contactPhone: phone }) };
      const result = await ingest(ctx, { adapter: ADAPTERS[channel]!, origin: 'form', actor, headers: null, rows: jsonArray(row), tx });
      const rejected = result.errors[0];
      if (rejected) throw new AppError(400, 'VALIDATION', rejected.message, [{ field: rejected.field?.split('（')[0] ?? undefined, message: rejected.message }]);
      const created = await (tx ?? db).selectFrom('raw_record').innerJoin('problem_source', 'problem_source.raw_record_id', 'raw_record.id').innerJoin('problem', 'problem.id', 'problem_source.problem_id').select(['problem.id', 'problem.tracking_code']).where('raw_record.channel', '=', channel).where('raw_record.external_id', '=', submissionId).executeTakeFirstOrThrow();
      if (o.flags?.length) await problemsRepo.addFlags(tx ?? db, created.id, o.flags);
      return { id: created.id, trackingCode: created.tracking_code };
    },

    /**
     * The dispatcher confirms or corrects domain and kind; the problem leaves the queue as 已分拣, and what the
     * dispatcher chose against what was predicted is kept as training data.
     */
    async confirmTriage(actor: Actor, items: { id: number; domain: string; kind: string }[]) {
      const userId = actor.principal?.kind === 'user' ? actor.principal.userId : null;
      const rows: { item: (typeof items)[number]; p: Awaited<ReturnType<typeof visible>> }[] = [];
      for (const item of items) rows.push({ item, p: await visible(actor, item.id, 'problem.triage') });
      const [domains, kinds] = await Promise.all([db.selectFrom('enforcement_domain').select('code').execute(), db.selectFrom('report_kind').select('code').execute()]);
      for (const { item } of rows) {
        if (!domains.some((d) => d.code === item.domain)) throw new AppError(400, 'VALIDATION', `领域 ${item.domain} 不存在`, [{ field: 'domain', message: '领域不存在' }]);
        if (!kinds.some((k) => k.code === item.kind)) throw new AppError(400, 'VALIDATION', `类型 ${item.kind} 不存在`, [{ field: 'kind', message: '类型不存在' }]);
      }
      return db.transaction().execute(async (tx) => {
        let confirmed = 0;
        for (const { item, p } of rows) {
          const r = await problemsRepo.confirmTriage(tx, item.id, item.domain, item.kind);
          if (!Number(r.numUpdatedRows)) throw new AppError(409, 'CONFLICT', `问题 ${item.id} 已不在分拣队列中（状态：${p.status}）`);
          const predicted = { domain: p.triage?.domain?.code ?? null, kind: p.triage?.kind?.code ?? p.kind_code };
          await problemsRepo.insertFeedback(tx, [
            { problem_id: item.id, target: 'domain', predicted: predicted.domain, chosen: item.domain, user_id: userId },
            { problem_id: item.id, target: 'kind', predicted: predicted.kind, chosen: item.kind, user_id: userId },
          ]);
          const corrected = predicted.domain !== item.domain || predicted.kind !== item.kind;
          await recordAudit(tx, actor, { action: corrected ? 'triage.correct' : 'triage.confirm', targetType: 'problem', targetId: item.id, summary: { domain: item.domain, kind: item.kind, predicted } });
          confirmed++;
        }
        return { confirmed };
      });
    },

    /** The merges a problem took part in; the other problem's title reads as the problem's own (numbers hidden if either is 保密). */
    async merges(actor: Actor, id: number) {
      const seesContact = hasPermission(actor.principal, 'problem.contact');
      return (await problemsRepo.merges(db, id)).map(({ from_confidential, into_confidential, ...m }) => ({ ...m, from_title: textMasker(from_confidential || into_confidential, seesContact)(m.from_title) }));
    },

    /** 热点话题 of a period in the reader's region, against the period of the same length before it. */
    async hotTopics(actor: Actor, f: { from: Date; to: Date; domain?: string; limit: number }) {
      const regionPrefixes = await regionScope(actor, 'problem.read');
      const span = f.to.getTime() - f.from.getTime();
      const [period, previous] = await Promise.all([
        problemsRepo.topicDocs(db, { ...f, regionPrefixes, limit: TOPIC_DOCS_MAX }),
        problemsRepo.topicDocs(db, { ...f, from: new Date(f.from.getTime() - span), to: f.from, regionPrefixes, limit: TOPIC_DOCS_MAX }),
      ]);
      const minSize = Math.max(3, Math.round(period.length / 500));
      return { from: f.from, to: f.to, problems: period.length, topics: hotTopics(period, previous, { minSize, limit: f.limit }).map((t) => ({ ...t, problemIds: t.problemIds.slice(0, 50) })) };
    },

    /** A matter the city does not handle through dispatch: recorded, with the reason the citizen is pointed elsewhere. */
    async redirect(actor: Actor, id: number, reason: string) {
      const p = await visible(actor, id, 'problem.triage');
      await db.transaction().execute(async (tx) => {
        const r = await problemsRepo.redirect(tx, id, reason);
        if (!Number(r.numUpdatedRows)) throw new AppError(409, 'CONFLICT', `问题 ${id} 已不在分拣队列中（状态：${p.status}）`);
        await recordAudit(tx, actor, { action: 'triage.redirect', targetType: 'problem', targetId: id, summary: { reason, proposed: p.triage?.exclusion?.category ?? null } });
      });
    },

    /**
     * A dispatcher merges a duplicate the triage only suspected into the problem it repeats: its sources move there
     * and it leaves the queue (拆分 undoes it). Only a problem not yet dispatched can be merged away.
     */
    async mergeInto(actor: Actor, fromId: number, intoId: number, reason: string) {
      if (fromId === intoId) throw fieldError('into', '不能与自身合并');
      const from = await visible(actor, fromId, 'problem.triage');
      const into = await visible(actor, intoId, 'problem.triage');
      if (!['new', 'triaged'].includes(from.status)) throw new AppError(409, 'CONFLICT', `问题 ${fromId} 已${PROBLEM_STATUS_NAMES[from.status] ?? from.status}，只有尚未派发的问题可以合并`);
      if (['merged', 'redirected'].includes(into.status)) throw new AppError(409, 'CONFLICT', `问题 ${intoId} 已${PROBLEM_STATUS_NAMES[into.status] ?? into.status}，不能作为合并目标`);
      const suspected = from.triage?.duplicates?.find((d) => d.id === intoId);
      const mergeId = await db.transaction().execute((tx) => mergeProblems(tx, actor, { from: fromId, fromStatus: from.status, into: intoId, similarity: suspected?.similarity ?? 0, reason: reason || '人工确认为重复件' }));
      return { mergeId, into: intoId };
    },

    /** Splits a wrongly merged problem back out, with its sources and the status it had. */
    async splitMerge(actor: Actor, problemId: number, mergeId: number) {
      await visible(actor, problemId, 'problem.triage');
      const m = await problemsRepo.getMerge(db, mergeId);
      if (!m || (m.into_problem_id !== problemId && m.from_problem_id !== problemId)) throw notFound('合并记录');
      if (m.split_at) throw new AppError(409, 'CONFLICT', '该合并已经拆分过');
      await db.transaction().execute(async (tx) => {
        await problemsRepo.split(tx, m, actorUserId(actor));
        await recordAudit(tx, actor, { action: 'problem.split', targetType: 'problem', targetId: m.into_problem_id, summary: { mergeId, restored: m.from_problem_id } });
      });
      return { restored: m.from_problem_id };
    },

    /** Throws 404 unless the actor may read this problem. */
    assertVisible: async (actor: Actor, id: number) => void (await visible(actor, id)),
  };
}

export type ProblemsService = ReturnType<typeof createProblemsService>;
