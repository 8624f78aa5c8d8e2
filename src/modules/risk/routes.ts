import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';
import { IdParam, Paging } from '../../http/schemas.ts';

const Version = z.number().int().positive('缺少版本号');
const Reason = (what: string) => z.string().trim().min(4, `请写明${what}（至少 4 个字）`).max(1000);

export const riskRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { risk } = services;
  const tags = ['风险预警'];

  app.get('/risk/warnings', {
    config: { access: 'user' },
    schema: {
      tags, summary: '预警列表（红、橙、黄、蓝依次在前）：督办与领导看全市，单位看本单位的和交办给本单位的',
      querystring: Paging.extend({
        state: z.enum(['open', 'new', 'assessed', 'dispatched', 'resolved', 'dismissed']).optional(),
        level: z.enum(['blue', 'yellow', 'orange', 'red']).optional(),
        domain: z.string().max(30).optional(),
        region: z.string().regex(/^\d{2,12}$/, '区域代码应为数字').optional(),
      }),
    },
  }, async (req) => risk.list(actorOf(req), req.query));

  app.get('/risk/warnings/:id', {
    config: { access: 'user' },
    schema: { tags, summary: '预警详情：证据（序列、统计量、相关问题）与处置记录', params: IdParam },
  }, async (req) => risk.get(actorOf(req), req.params.id));

  app.post('/risk/warnings/:id/assess', {
    config: { access: 'workorder.supervise' },
    schema: { tags, summary: '研判', params: IdParam, body: z.object({ version: Version, note: Reason('研判意见') }) },
  }, async (req) => risk.assess(actorOf(req), req.params.id, req.body.version, req.body.note));

  app.post('/risk/warnings/:id/dispatch', {
    config: { access: 'workorder.supervise' },
    schema: {
      tags, summary: '交办：生成督办工单派给责任单位，按工单闭环办理', params: IdParam,
      body: z.object({ version: Version, unitId: z.number().int().positive('请选择责任单位'), instructions: z.string().trim().max(1000).default('') }),
    },
  }, async (req) => risk.dispatch(actorOf(req), req.params.id, req.body.version, req.body));

  app.post('/risk/warnings/:id/resolve', {
    config: { access: 'workorder.supervise' },
    schema: { tags, summary: '已化解（写明依据）', params: IdParam, body: z.object({ version: Version, reason: Reason('化解情况') }) },
  }, async (req) => risk.resolve(actorOf(req), req.params.id, req.body.version, req.body.reason));

  app.post('/risk/warnings/:id/dismiss', {
    config: { access: 'workorder.supervise' },
    schema: { tags, summary: '已排除（写明理由，如数据重复、季节性正常波动）', params: IdParam, body: z.object({ version: Version, reason: Reason('排除理由') }) },
  }, async (req) => risk.dismiss(actorOf(req), req.params.id, req.body.version, req.body.reason));

  app.get('/risk/rules', {
    config: { access: 'user' },
    schema: { tags, summary: '预警规则（阈值与窗口，可由管理员修改，保留历史）' },
  }, async (req) => ({ rules: await risk.rules(actorOf(req)) }));

  app.put('/risk/rules/:code', {
    config: { access: 'reference.manage' },
    schema: {
      tags, summary: '修改预警规则（生成新版本，旧版本留在历史中）', params: z.object({ code: z.string().max(50) }),
      body: z.object({ params: z.record(z.string(), z.number()), active: z.boolean(), note: z.string().trim().max(500).default('') }),
    },
  }, async (req) => risk.updateRule(actorOf(req), req.params.code, req.body));

  app.get('/risk/rules/:code/history', {
    config: { access: 'user' },
    schema: { tags, summary: '预警规则的历史版本', params: z.object({ code: z.string().max(50) }) },
  }, async (req) => ({ versions: await risk.ruleHistory(actorOf(req), req.params.code) }));

  app.post('/risk/rules/:code/backtest', {
    config: { access: 'report.read' },
    schema: {
      tags, summary: '回测：这条规则（或给出的参数）在过去若干个月会发出哪些预警', params: z.object({ code: z.string().max(50) }),
      body: z.object({ months: z.number().int().min(1).max(24).default(12), params: z.record(z.string(), z.number()).optional() }),
    },
  }, async (req) => risk.backtestRule(req.params.code, req.body));

  app.get('/risk/overview', {
    config: { access: 'report.read' },
    schema: { tags, summary: '全域感知：各区域、领域、单位的风险评分（每项信号的权重与得分）' },
  }, async () => risk.overview());

  app.get('/risk/domains/:code', {
    config: { access: 'report.read' },
    schema: { tags, summary: '领域风险页与决策辅助：走势、重点对象、区域、单位、热点、在办预警与建议措施', params: z.object({ code: z.string().max(30) }) },
  }, async (req) => risk.domainPage(actorOf(req), req.params.code));

  app.post('/risk/detect', {
    config: { access: 'workorder.supervise' },
    schema: { tags, summary: '立即运行一次风险研判（平时每小时自动运行，导入后也会运行）', body: z.object({}).default({}) },
  }, async () => risk.detect());
};
