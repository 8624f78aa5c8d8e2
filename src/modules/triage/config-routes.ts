import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { actorOf } from '../../http/actor.ts';
import { Ok } from '../../http/schemas.ts';
import type { TermList } from './config-repo.ts';
import { createTriageConfigService, TERM_LISTS } from './config-service.ts';

const Target = z.enum(['domain', 'kind'], { error: '目标须为 domain（领域）或 kind（类型）' });
const Code = z.string().trim().min(1, '请选择代码').max(40, '代码不超过 40 个字符');
const Label = z.string().trim().min(1, '请填写标签').max(100, '标签不超过 100 个字');
const Term = z.string().trim().min(2, '词语至少 2 个字').max(30, '词语不超过 30 个字').regex(/^\S+$/, '词语中不能有空格');
const Category = z.string().trim().min(1, '请填写类别').max(20, '类别不超过 20 个字');
const Weight = z.number({ error: '权重须为数字' }).min(0.1, '权重不小于 0.1').max(10, '权重不大于 10');
const UserWord = z.string().trim().regex(/^[\p{Script=Han}A-Za-z0-9·]{2,20}$/u, '词语须为 2–20 个汉字、字母或数字，不含空格和标点');
const UserWordCategory = z.enum(['place', 'unit', 'term', 'other'], { error: '类别须为 place（地名）、unit（单位）、term（执法用语）或 other（其他）' });
const Paging = {
  q: z.string().trim().max(30).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
const Page = <T extends z.ZodTypeAny>(row: T) => z.object({ rows: z.array(row), total: z.number() });

/** 分拣配置: the admin's pages over the triage data (reference.manage; every change audited). */
export const triageConfigRoutes = (ctx: AppContext): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const config = createTriageConfigService(ctx);
  const tags = ['分拣配置'];
  const access = 'reference.manage' as const;

  // ── label map ──
  const LabelRow = z.object({ target: Target, label: z.string(), code: z.string() });
  app.get('/triage/label-map', {
    config: { access },
    schema: {
      tags, summary: '标签映射：历史数据的分类名称 → 领域/类型代码；另列出当前模型与已导入样本中尚未映射的标签',
      response: {
        200: z.object({
          rows: z.array(LabelRow.extend({ code_name: z.string().nullable() })),
          unmapped: z.array(z.object({ target: Target, label: z.string(), in_model: z.boolean(), examples: z.number() })),
          models: z.array(z.object({ target: Target, version: z.number() })),
          codes: z.object({ domain: z.array(z.object({ code: z.string(), name: z.string(), active: z.boolean() })), kind: z.array(z.object({ code: z.string(), name: z.string(), active: z.boolean() })) }),
        }),
      },
    },
  }, async () => config.labelMap());

  app.post('/triage/label-map', {
    config: { access },
    schema: { tags, summary: '新增标签映射（下一次分拣起生效，重新训练时也按它换算标签）', body: z.object({ target: Target, label: Label, code: Code }), response: { 200: LabelRow } },
  }, async (req) => config.addLabel(actorOf(req), req.body));

  app.put('/triage/label-map', {
    config: { access },
    schema: { tags, summary: '修改标签映射的代码', body: z.object({ target: Target, label: Label, code: Code }), response: { 200: LabelRow } },
  }, async (req) => config.changeLabel(actorOf(req), req.body));

  app.delete('/triage/label-map', {
    config: { access },
    schema: { tags, summary: '删除标签映射', querystring: z.object({ target: Target, label: Label }), response: { 200: Ok } },
  }, async (req) => {
    await config.removeLabel(actorOf(req), req.query.target, req.query.label);
    return { ok: true as const };
  });

  // ── keyword lexicon ──
  const LexiconRow = z.object({ target: Target, code: z.string(), term: z.string(), weight: z.number() });
  app.get('/triage/lexicon', {
    config: { access },
    schema: {
      tags, summary: '内置关键词词典（未训练模型时的领域/类型判断与依据词），可按目标、代码、词语筛选',
      querystring: z.object({ target: Target.optional(), code: z.string().trim().max(40).optional(), ...Paging }),
      response: { 200: Page(LexiconRow) },
    },
  }, async (req) => config.lexicon(req.query));

  app.post('/triage/lexicon', {
    config: { access },
    schema: { tags, summary: '新增关键词', body: z.object({ target: Target, code: Code, term: Term, weight: Weight.default(1) }), response: { 200: LexiconRow } },
  }, async (req) => config.addLexicon(actorOf(req), req.body));

  app.put('/triage/lexicon', {
    config: { access },
    schema: { tags, summary: '修改关键词的权重', body: z.object({ target: Target, code: Code, term: z.string().trim().min(1, '请填写词语').max(30), weight: Weight }), response: { 200: LexiconRow } },
  }, async (req) => config.changeLexicon(actorOf(req), req.body));

  app.delete('/triage/lexicon', {
    config: { access },
    schema: { tags, summary: '删除关键词', querystring: z.object({ target: Target, code: Code, term: z.string().trim().min(1, '请填写词语').max(30) }), response: { 200: Ok } },
  }, async (req) => {
    await config.removeLexicon(actorOf(req), req.query);
    return { ok: true as const };
  });

  // ── misconduct and exclusion terms ──
  const TermRow = z.object({ category: z.string(), term: z.string() });
  const lists: [TermList, string][] = [['misconduct', 'misconduct-terms'], ['exclusion', 'exclusion-terms']];
  for (const [list, path] of lists) {
    const name = TERM_LISTS[list].name;
    app.get(`/triage/${path}`, {
      config: { access },
      schema: {
        tags, summary: `${name}：按类别与词语筛选`,
        querystring: z.object({ category: z.string().trim().max(20).optional(), ...Paging }),
        response: { 200: Page(TermRow).extend({ categories: z.array(z.object({ category: z.string(), n: z.number() })) }) },
      },
    }, async (req) => config.terms(list, req.query));

    app.post(`/triage/${path}`, {
      config: { access },
      schema: { tags, summary: `${name}：新增词语（下一次分拣起生效）`, body: z.object({ category: Category, term: Term }), response: { 200: TermRow } },
    }, async (req) => config.addTerm(actorOf(req), list, req.body));

    app.delete(`/triage/${path}`, {
      config: { access },
      schema: { tags, summary: `${name}：删除词语`, querystring: z.object({ category: Category, term: z.string().trim().min(1, '请填写词语').max(30) }), response: { 200: Ok } },
    }, async (req) => {
      await config.removeTerm(actorOf(req), list, req.query);
      return { ok: true as const };
    });
  }

  // ── user dictionary ──
  app.get('/triage/user-words', {
    config: { access },
    schema: {
      tags, summary: '分词用户词典（地名、单位名称、执法用语）',
      querystring: z.object({ category: UserWordCategory.optional(), ...Paging }),
      response: { 200: Page(z.object({ word: z.string(), category: UserWordCategory, created_at: z.date(), created_by_name: z.string().nullable() })) },
    },
  }, async (req) => config.userWords(req.query));

  app.post('/triage/user-words', {
    config: { access },
    schema: {
      tags, summary: '添加用户词（可一次多个；已有的跳过）：各实例在下一次分拣前载入，已有问题的检索索引需“重建检索索引”',
      body: z.object({ words: z.array(UserWord).min(1, '请至少填写一个词语').max(1000, '一次最多 1000 个词语'), category: UserWordCategory.default('other') }),
      response: { 200: z.object({ added: z.array(z.string()), existing: z.array(z.string()) }) },
    },
  }, async (req) => config.addUserWords(actorOf(req), req.body));

  app.delete('/triage/user-words', {
    config: { access },
    schema: { tags, summary: '删除用户词', querystring: z.object({ word: z.string().trim().min(1, '请填写词语').max(20) }), response: { 200: Ok } },
  }, async (req) => {
    await config.removeUserWord(actorOf(req), req.query.word);
    return { ok: true as const };
  });

  app.post('/triage/user-words/reindex', {
    config: { access },
    schema: { tags, summary: '按当前用户词典重建全部问题的检索索引（后台任务）', response: { 202: z.object({ jobId: z.number() }) } },
  }, async (req, reply) => reply.status(202).send(await config.requestReindex(actorOf(req))));
};
