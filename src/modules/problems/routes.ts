import { trackingCodeAsTyped } from '../workorders/public.ts';
import { ALLOWED_EXTENSIONS } from '../attachments/types.ts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';
import { IdParam, Ok, Paging } from '../../http/schemas.ts';
import { fieldError, forbidden } from '../../lib/errors.ts';
import { normalizePhone } from '../../lib/crypto.ts';
import { hasPermission, type UserPrincipal } from '../auth/access.ts';
import { maskedTrackingCode } from './masking.ts';

const Status = z.enum(['new', 'triaged', 'dispatched', 'replied', 'closed', 'redirected', 'merged']);
const Guess = z.object({ code: z.string().nullable(), label: z.string(), confidence: z.number(), evidence: z.array(z.string()), source: z.enum(['model', 'lexicon']) });
const TriageResult = z.object({ domain: Guess.nullable(), kind: Guess.nullable(), misconduct: z.array(z.object({ category: z.string(), terms: z.array(z.string()) })), duplicates: z.array(z.object({ id: z.number(), similarity: z.number(), merged: z.boolean() })).optional(),
  exclusion: z.object({ category: z.string(), terms: z.array(z.string()) }).nullable().optional(),
  route: z.object({ unitId: z.number(), unitName: z.string(), ruleId: z.number().nullable(), basis: z.string().optional() }).nullable().optional(),
  target: z.object({ text: z.string(), key: z.string(), source: z.enum(['channel', 'text']) }).nullable().optional(),
});
const ProblemRow = z.object({
  id: z.number(),
  tracking_code: z.string(),
  channel: z.string(),
  channel_name: z.string(),
  title: z.string(),
  kind_code: z.string().nullable(),
  kind_text: z.string().nullable(),
  reported_at: z.date(),
  region_code: z.string().nullable(),
  region_name: z.string().nullable(),
  region_text: z.string().nullable(),
  address: z.string().nullable(),
  status: Status,
  flags: z.array(z.string()),
  source_count: z.number(),
  confidential: z.boolean(),
  reporter_name_mask: z.string().nullable(),
  reporter_phone_mask: z.string().nullable(),
  domain_code: z.string().nullable(),
  misconduct: z.array(z.string()),
  triage: TriageResult.nullable(),
});
const Source = z.object({
  id: z.number(),
  channel: z.string(),
  channel_name: z.string(),
  external_id: z.string(),
  version: z.number(),
  link_reason: z.string(),
  source_state: z.string().nullable(),
  handled_by: z.string().nullable(),
  reply: z.string().nullable(),
  replied_at: z.date().nullable(),
  satisfaction: z.string().nullable(),
  linked_at: z.date(),
  received_at: z.date(),
  payload: z.record(z.string(), z.unknown()),
  fields: z.array(z.object({ key: z.string(), label: z.string().nullable(), value: z.string() })),
});
/** An upload's answer: how many files the problem now has from it, and the files refused (each with why). */
const Uploaded = z.object({ count: z.number(), refused: z.array(z.object({ file: z.string(), message: z.string() })) });
const KIND_NAMES = { complaint: '投诉', report: '举报', consult: '咨询', suggest: '建议', help: '求助', praise: '表扬' } as const;
const ReportBody = z.object({
  title: z.string().trim().max(100, '标题不超过 100 字').optional(),
  content: z.string().trim().min(10, '请至少用 10 个字描述问题').max(5000, '内容不超过 5000 字'),
  kind: z.enum(['complaint', 'report', 'consult', 'suggest', 'help', 'praise'], { message: '类型应为投诉、举报、咨询、建议、求助或表扬之一' }).optional(),
  address: z.string().trim().max(200, '发生地点不超过 200 字').optional(),
  region: z.string().trim().max(50, '区域不超过 50 字').optional(),
  contactName: z.string().trim().max(50, '称呼不超过 50 字').optional(),
  // as people write it (138 1234 5678, +86 138-1234-5678, (0553)3845566): the service reads it as a phone
  // checked here too, so that a wrong phone is listed with the other fields' mistakes in one answer
  contactPhone: z.string().max(30, '请填写正确的手机号或固定电话').refine((v) => !v.trim() || normalizePhone(v) !== null, '请填写正确的手机号或固定电话').optional(),
  confidential: z.boolean().optional(),
});

export const problemsRoutes = (services: Services, publicPerMinute: number): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { problems, attachments } = services;
  const tags = ['问题库'];

  app.get('/problems', {
    config: { access: 'problem.read' },
    schema: {
      tags, summary: '问题库列表（按反映时间倒序）',
      querystring: Paging.extend({
        channel: z.string().max(30).optional(),
        kind: z.string().max(30).optional(),
        region: z.string().max(12).optional(),
        status: Status.optional(),
        from: z.coerce.date().optional(),
        to: z.coerce.date().optional(),
        q: z.string().trim().max(100).optional(),
      }),
      response: { 200: z.object({ rows: z.array(ProblemRow), total: z.number() }) },
    },
  }, async (req) => problems.list(actorOf(req), req.query));

  app.get('/problems/:id', {
    config: { access: 'problem.read' },
    schema: {
      tags, summary: '问题详情与全部来源（个人信息已打码）', params: IdParam,
      response: { 200: ProblemRow.extend({ body: z.string(), target_text: z.string().nullable(), unit_text: z.string().nullable(), created_at: z.date(), updated_at: z.date(), canRevealContact: z.boolean(), sources: z.array(Source),
        merges: z.array(z.object({ id: z.number(), from_problem_id: z.number(), from_title: z.string(), into_problem_id: z.number(), similarity: z.number(), reason: z.string(), merged_at: z.date(), split_at: z.date().nullable() })),
        attachments: z.array(z.object({ id: z.number(), file_name: z.string(), content_type: z.string(), size_bytes: z.number(), created_at: z.date() })) }) },
    },
  }, async (req) => ({ ...(await problems.get(actorOf(req), req.params.id)), merges: await problems.merges(actorOf(req), req.params.id), attachments: await attachments.list(req.params.id) }));

  app.post('/problems/:id/merge', {
    config: { access: 'problem.triage' },
    schema: {
      tags, summary: '把重复件合并到它重复的问题（来源随之移过去；可拆分恢复）', params: IdParam,
      body: z.object({ into: z.number({ message: '请指定合并到哪个问题' }).int().positive(), reason: z.string().trim().max(200, '理由不超过 200 字').default('') }),
      response: { 200: z.object({ mergeId: z.number(), into: z.number() }) },
    },
  }, async (req) => problems.mergeInto(actorOf(req), req.params.id, req.body.into, req.body.reason));

  app.post('/problems/:id/merges/:mergeId/split', {
    config: { access: 'problem.triage' },
    schema: { tags, summary: '拆分合并错误的重复件（来源与原状态一并恢复）', params: IdParam.extend({ mergeId: z.coerce.number().int().positive() }), response: { 200: z.object({ restored: z.number() }) } },
  }, async (req) => problems.splitMerge(actorOf(req), req.params.id, req.params.mergeId));

  app.get('/triage/queue', {
    config: { access: 'problem.triage' },
    schema: {
      tags: ['分拣'], summary: '分拣队列：已自动分拣、待人工确认的问题（执法作风问题在前）',
      querystring: Paging.extend({ misconductOnly: z.coerce.boolean().optional(), channel: z.string().max(30).optional(), region: z.string().max(12).optional() }),
      response: { 200: z.object({ rows: z.array(ProblemRow), total: z.number() }) },
    },
  }, async (req) => problems.list(actorOf(req), { ...req.query, queue: true }));

  app.get('/triage/hot-topics', {
    config: { access: 'problem.read' },
    schema: {
      tags: ['分拣'], summary: '热点话题：期间内相关问题的聚类，按数量、较上期增长与关注度（点赞、转发、评论、收藏）排序',
      querystring: z.object({ from: z.coerce.date().optional(), to: z.coerce.date().optional(), domain: z.string().max(30).optional(), limit: z.coerce.number().int().min(1).max(50).default(10) })
        .refine((q) => !q.from || !q.to || q.to > q.from, { message: '结束时间必须晚于开始时间', path: ['to'] }),
      response: { 200: z.object({ from: z.date(), to: z.date(), problems: z.number(), topics: z.array(z.object({ label: z.string(), terms: z.array(z.string()), count: z.number(), previous: z.number(), growth: z.number().nullable(), attention: z.number(), score: z.number(), problemIds: z.array(z.number()) })) }) },
    },
  }, async (req) => {
    // by default the last 30 days
    const to = req.query.to ?? new Date();
    const from = req.query.from ?? new Date(to.getTime() - 30 * 86_400_000);
    if (to <= from) throw fieldError('to', '结束时间必须晚于开始时间');
    return problems.hotTopics(actorOf(req), { ...req.query, from, to });
  });

  app.post('/triage/confirm', {
    config: { access: 'problem.triage' },
    schema: {
      tags: ['分拣'], summary: '确认或纠正领域与类型（可批量，最多 200 条）；纠正记为训练数据',
      body: z.object({ items: z.array(z.object({ id: z.number().int().positive(), domain: z.string().min(1, '请选择领域'), kind: z.string().min(1, '请选择类型') })).min(1).max(200) }),
      response: { 200: z.object({ confirmed: z.number() }) },
    },
  }, async (req) => problems.confirmTriage(actorOf(req), req.body.items));

  app.post('/triage/:id/redirect', {
    config: { access: 'problem.triage' },
    schema: {
      tags: ['分拣'], summary: '不予派发、引导至其他途径（诉讼、仲裁、纪检监察、行政复议、信息公开、信访），须写明理由',
      params: IdParam,
      body: z.object({ reason: z.string().trim().min(4, '请写明引导理由（至少 4 个字）').max(500) }),
      response: { 200: Ok },
    },
  }, async (req) => {
    await problems.redirect(actorOf(req), req.params.id, req.body.reason);
    return { ok: true as const };
  });

  app.post('/problems/:id/contact', {
    config: { access: 'problem.contact' },
    schema: { tags, summary: '查看举报人联系方式（写审计）', params: IdParam, response: { 200: z.object({ name: z.string().nullable(), phone: z.string().nullable(), confidential: z.boolean() }) } },
  }, async (req) => problems.revealContact(actorOf(req), req.params.id));

  const publicLimit = { rateLimit: { max: publicPerMinute, timeWindow: 60_000 } };

  app.post('/public/reports', {
    config: { access: 'public', ...publicLimit },
    schema: {
      tags: ['公众'], summary: '公众反映（无需登录），返回查询码',
      body: ReportBody,
      response: { 200: z.object({ trackingCode: z.string(), uploadToken: z.string() }) },
    },
  }, async (req) => {
    const { kind, ...rest } = req.body;
    const created = await problems.submitForm('web_form', { ...rest, kind: kind ? KIND_NAMES[kind] : undefined }, { principal: null, ip: req.ip });
    return { trackingCode: created.trackingCode, uploadToken: await attachments.issueUploadToken(created.id) };
  });

  app.post('/public/attachments', {
    config: { access: 'public', ...publicLimit },
    schema: { tags: ['公众'], summary: '为刚提交的反映上传附件（multipart；请求头 x-upload-token）', consumes: ['multipart/form-data'], response: { 200: Uploaded } },
  }, async (req) => {
    const token = req.headers['x-upload-token'];
    if (typeof token !== 'string' || !token) throw forbidden('缺少上传凭证');
    const problemId = await attachments.problemOfToken(token);
    const { stored, refused } = await attachments.store({ principal: null, ip: req.ip }, problemId, req.files({ limits: { fileSize: attachments.limits.maxBytes, files: attachments.limits.perProblem } }));
    return { count: stored.length, refused };
  });

  app.post('/problems', {
    config: { access: 'user' },
    schema: {
      tags, summary: '工作人员录入线索（记入本人单位）',
      body: ReportBody.extend({ target: z.string().trim().max(100).optional() }),
      response: { 200: z.object({ id: z.number(), trackingCode: z.string(), uploadToken: z.string(), canOpen: z.boolean() }) },
    },
  }, async (req) => {
    const p = req.principal as UserPrincipal;
    const { kind, ...rest } = req.body;
    const unit = p.grants.find((g) => g.unitId === p.unitId)?.unitName ?? (await services.orgs.unitName(p.unitId));
    const created = await problems.submitForm('staff', { ...rest, kind: kind ? KIND_NAMES[kind] : undefined, unitName: unit }, actorOf(req));
    // the code is the citizen's, to rate the handling; staff see it masked like everywhere else. The person who
    // entered the clue may attach its files (with the token) even where the clue lies outside what they may read.
    const canOpen = await problems.assertVisible(actorOf(req), created.id).then(() => true, () => false);
    return { id: created.id, trackingCode: maskedTrackingCode(created.trackingCode), uploadToken: await attachments.issueUploadToken(created.id), canOpen };
  });

  app.post('/problems/:id/attachments', {
    config: { access: 'user' },
    schema: {
      tags, summary: '上传附件（multipart；有“查看问题”权限，或凭刚录入线索时得到的上传凭证 x-upload-token）',
      params: IdParam, consumes: ['multipart/form-data'], response: { 200: Uploaded },
    },
  }, async (req) => {
    const token = req.headers['x-upload-token'];
    const byToken = typeof token === 'string' && token !== '' && (await attachments.problemOfToken(token)) === req.params.id;
    if (!byToken) {
      if (!hasPermission(req.principal!, 'problem.read')) throw forbidden('没有“查看问题”权限');
      await problems.assertVisible(actorOf(req), req.params.id);
    }
    const { stored, refused } = await attachments.store(actorOf(req), req.params.id, req.files({ limits: { fileSize: attachments.limits.maxBytes, files: attachments.limits.perProblem } }));
    return { count: stored.length, refused };
  });

  app.get('/problems/:id/attachments/:attachmentId', {
    config: { access: 'problem.read' },
    schema: { tags, summary: '下载附件', params: IdParam.extend({ attachmentId: z.coerce.number().int().positive() }) },
  }, async (req, reply) => {
    await problems.assertVisible(actorOf(req), req.params.id);
    const a = await attachments.get(req.params.id, req.params.attachmentId);
    return reply
      .header('content-type', a.content_type)
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.file_name)}`)
      .send(a.data);
  });

  // as people type it (全角, spaces, O for 0), then checked
  const TrackingCode = z.object({
    code: z.string().max(40, '查询码格式不正确').transform(trackingCodeAsTyped).refine((c) => /^ZD[0-9A-Z]{10}$/.test(c), '查询码格式不正确：应为 ZD 开头的 12 位字母和数字'),
  });

  app.get('/public/attachment-limits', {
    config: { access: 'public' },
    schema: { tags: ['公众'], summary: '附件限制：每个附件的最大字节数、每件反映最多几个附件、允许的扩展名（供表单在选择文件时检查）', response: { 200: z.object({ maxBytes: z.number(), perProblem: z.number(), extensions: z.array(z.string()) }) } },
  }, async () => ({ maxBytes: attachments.limits.maxBytes, perProblem: attachments.limits.perProblem, extensions: ALLOWED_EXTENSIONS }));

  app.get('/public/track/:code', {
    config: { access: 'public', ...publicLimit },
    schema: {
      tags: ['公众'], summary: '凭查询码查看办理进度、时间线与答复（不含任何人员姓名和电话）',
      params: TrackingCode,
      response: { 200: z.object({ trackingCode: z.string(), title: z.string(), kind: z.string().nullable(), status: Status, statusText: z.string(), reportedAt: z.date(), updatedAt: z.date(),
        deadline: z.date().nullable(), overdue: z.boolean().describe('办理期限已过而未办结'), timeline: z.array(z.object({ at: z.date(), text: z.string() })),
        answer: z.object({ content: z.string(), at: z.date(), superseded: z.boolean().describe('您不满意后正在重新办理：这是此前的答复') }).nullable(), rating: z.string().nullable(), canRate: z.boolean() }) },
    },
  }, async (req) => services.workOrders.track(req.params.code));

  app.post('/public/track/:code/rating', {
    config: { access: 'public', ...publicLimit },
    schema: {
      tags: ['公众'], summary: '对办理结果评价（满意 / 基本满意 / 不满意；不满意将重新办理）',
      params: TrackingCode,
      body: z.object({ satisfaction: z.enum(['satisfied', 'basically_satisfied', 'unsatisfied']), comment: z.string().trim().max(500, '意见不超过 500 字').default('') }),
      response: { 200: Ok },
    },
  }, async (req) => {
    await services.workOrders.rateByCitizen(req.params.code, req.body.satisfaction, req.body.comment, req.ip);
    return { ok: true as const };
  });
};
