import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';
import { IdParam, Paging } from '../../http/schemas.ts';
import { PERIOD_PATTERN } from '../../lib/period.ts';

const CONTENT_TYPES = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

export const reportsRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { reports } = services;
  const tags = ['分析报告'];

  app.get('/reports', {
    config: { access: 'report.read' },
    schema: { tags, summary: '已生成的分析报告（月报、季报、年报），新的在前', querystring: Paging },
  }, async (req) => reports.list(actorOf(req), req.query.limit, req.query.offset));

  app.post('/reports', {
    config: { access: 'report.read' },
    schema: {
      tags, summary: '生成一期分析报告（Word 公文与 Excel 表格），按当前数据计算，可重复生成',
      body: z.object({ period: z.string().regex(PERIOD_PATTERN, '期间格式：2026-10（月）、2026-Q3（季度）或 2026（年）') }),
    },
  }, async (req) => {
    const { docx: _d, xlsx: _x, ...r } = await reports.generate(actorOf(req), req.body.period);
    return r;
  });

  for (const format of ['docx', 'xlsx'] as const) {
    app.get(`/reports/:id/${format}`, {
      config: { access: 'report.read' },
      schema: { tags, summary: format === 'docx' ? '下载报告（Word 公文）' : '下载报告的表格（Excel）', params: IdParam },
    }, async (req, reply) => {
      const f = await reports.file(actorOf(req), req.params.id, format);
      return reply
        .header('content-type', CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.fileName)}`)
        .send(f.data);
    });
  }
};
