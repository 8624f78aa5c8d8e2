import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { actorOf } from '../../http/actor.ts';
import { Paging } from '../../http/schemas.ts';
import { AppError, badRequest } from '../../lib/errors.ts';
import { FileError, jsonArray, openRecordFile } from '../intake/files.ts';
import { caseHeaderScore } from './service.ts';

const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const Result = z.object({
  inserted: z.number(), updated: z.number(), unknownColumns: z.array(z.string()),
  notices: z.array(z.string()).describe('文件如何读取的提示（如读取的是哪个工作表）'),
  errors: z.array(z.object({ row: z.number(), field: z.string().optional(), message: z.string() })),
});

export const casesRoutes = (services: Services): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { cases } = services;
  const tags = ['复议诉讼'];

  app.get('/case-outcomes', {
    config: { access: 'user' },
    schema: {
      tags, summary: '复议诉讼结果（领导与督办看全市，单位看本单位的）',
      querystring: Paging.extend({
        kind: z.enum(['reconsideration', 'litigation']).optional(),
        lost: z.enum(['true', 'false']).optional(),
        unitId: z.coerce.number().int().positive().optional(),
      }),
    },
  }, async (req) => cases.list(actorOf(req), { ...req.query, lostOnly: req.query.lost === 'true' }));

  app.post('/case-outcomes', {
    config: { access: 'workorder.supervise' },
    schema: {
      tags, summary: '录入复议诉讼结果（JSON 行，列名同导入模板）；逐行校验，有效行保存，错误行逐条说明',
      body: z.object({ rows: z.array(z.record(z.string(), z.unknown())).min(1, '至少一行').max(20_000, '一次最多 20000 行') }),
      response: { 200: Result },
    },
  }, async (req) => ({ ...(await cases.import(actorOf(req), jsonArray(req.body.rows), 'api')), notices: [] }));

  app.post('/case-outcomes/import', {
    config: { access: 'workorder.supervise' },
    schema: { tags, summary: '导入复议诉讼结果文件（multipart：file，XLSX 或 CSV）', consumes: ['multipart/form-data'], response: { 200: Result } },
  }, async (req) => {
    let saved: string | null = null;
    try {
      for await (const part of req.parts({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } })) {
        if (part.type !== 'file') continue;
        saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zhd-cases-')), path.basename(part.filename || 'upload'));
        await pipeline(part.file, fs.createWriteStream(saved));
        if (part.file.truncated) throw new AppError(413, 'PAYLOAD_TOO_LARGE', `文件超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
      }
      if (!saved) throw badRequest('请选择要导入的文件', [{ field: 'file', message: '缺少文件' }]);
      const opened = await openRecordFile(saved, { headerScore: caseHeaderScore }).catch((e) => Promise.reject(e instanceof FileError ? badRequest(e.message, [{ field: 'file', message: e.message }]) : e));
      const result = await cases.import(actorOf(req), opened.rows, path.basename(saved));
      return { ...result, notices: opened.notices() };
    } finally {
      if (saved) fs.rmSync(path.dirname(saved), { recursive: true, force: true });
    }
  });
};
