import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { actorOf } from '../../http/actor.ts';
import { IdParam, Paging } from '../../http/schemas.ts';
import { AppError, badRequest, forbidden, notFound } from '../../lib/errors.ts';
import { ADAPTERS } from './adapters.ts';
import { CANONICAL_FIELDS, type CanonicalField } from './fields.ts';
import { FileError, MissingColumnsError } from './files.ts';
import { intakeRepo } from './repo.ts';
import { assertBatchVisible, batchErrors, errorReportCsv, importFile, importPushed, importScope, rematchUnmatchedRegions, saveMapping } from './service.ts';

const Result = z.object({
  batchId: z.number(),
  read: z.number(),
  inserted: z.number(),
  changed: z.number(),
  repeats: z.number(),
  rejected: z.number(),
  errors: z.array(z.object({ rowNo: z.number().nullable(), externalId: z.string().nullable(), field: z.string().nullable(), message: z.string() })),
  unknownColumns: z.array(z.string()),
  notices: z.array(z.string()).describe('关于文件如何读取的提示（如读取的是哪个工作表）'),
});
const PushResult = Result.extend({
  attachments: z.object({
    stored: z.number().describe('存入问题附件的文件数（重复推送的同一文件不再存）'),
    refused: z.array(z.object({ record: z.number().describe('第几条记录（从 1 起）'), name: z.string(), reason: z.string() })),
  }),
});
const Batch = z.object({
  id: z.number(), channel: z.string(), origin: z.string(), file_name: z.string().nullable(), state: z.string(),
  read: z.number(), inserted: z.number(), changed: z.number(), repeats: z.number(), rejected: z.number(), error: z.string().nullable(),
  bytes_total: z.number().nullable().describe('文件大小（字节；接口推送为空）'), bytes_read: z.number().nullable().describe('已读到文件的第几个字节'),
  unknown_columns: z.array(z.string()).describe('未能识别的列（原样保存在原始记录中）'),
  notices: z.array(z.string()).describe('导入结束时的提示（如读取的是哪个工作表）'),
  started_at: z.date(), finished_at: z.date().nullable(),
  started_by: z.string().nullable().describe('发起人（工作人员姓名；接口推送为密钥名称；命令行为空）'),
});
const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
const MAX_PUSH_RECORDS = 1000;

/** A file's error as the client gets it; missing columns with the headers found and the fields, for a column mapping. */
const asAppError = (e: unknown) => {
  if (e instanceof MissingColumnsError) return new AppError(400, 'MISSING_COLUMNS', e.message, [], { columns: e.columns, fields: CANONICAL_FIELDS });
  return e instanceof FileError ? new AppError(400, 'BAD_FILE', e.message) : e;
};

export const intakeRoutes = (ctx: AppContext): FastifyPluginAsync => async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['汇集'];

  app.post('/intake/:channel', {
    config: { access: 'apiKey' },
    bodyLimit: 32 * 1024 * 1024, // room for files pushed inside records (Base64)
    schema: {
      tags, summary: '渠道推送（接入密钥；单条或最多 1000 条的数组；记录里 attachments 或“附件”下的 Base64 文件存为问题附件）',
      params: z.object({ channel: z.string().max(30) }),
      querystring: z.object({ mapping: z.string().trim().min(1).max(50).optional().describe('已保存的列映射名称（通用渠道等字段名不同的来源）') }),
      // elements that are not objects are rejected one by one with their position, beside the good ones
      body: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]),
      response: { 200: PushResult },
    },
  }, async (req) => {
    const p = req.principal!;
    if (!ADAPTERS[req.params.channel]) throw notFound(`渠道“${req.params.channel}”`);
    if (p.kind !== 'apiKey' || p.channel !== req.params.channel) throw forbidden(`该密钥只能推送到渠道 ${p.kind === 'apiKey' ? p.channel : ''}`);
    if (Array.isArray(req.body) && (req.body.length === 0 || req.body.length > MAX_PUSH_RECORDS)) {
      const message = req.body.length ? `一次最多推送 ${MAX_PUSH_RECORDS} 条，本次 ${req.body.length} 条：请分批推送` : '数组是空的：没有要推送的记录';
      throw badRequest(message, [{ field: 'body', message }]);
    }
    return importPushed(ctx, actorOf(req), req.params.channel, req.body, req.query.mapping).catch((e) => Promise.reject(asAppError(e)));
  });

  app.post('/imports', {
    config: { access: 'problem.import' },
    schema: {
      tags, summary: '上传文件导入（multipart：channel、mapping、file）；返回批次号，进度见 /imports/{id}',
      consumes: ['multipart/form-data'],
      response: { 202: z.object({ batchId: z.number() }) },
    },
  }, async (req, reply) => {
    let channel = '';
    let mapping: string | undefined;
    let saved: string | null = null;
    let fileName = '';
    const removeUpload = () => saved && fs.rmSync(path.dirname(saved), { recursive: true, force: true });
    try {
      for await (const part of req.parts({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } })) {
        if (part.type === 'field') {
          if (part.fieldname === 'channel') channel = String(part.value);
          if (part.fieldname === 'mapping' && part.value) mapping = String(part.value);
        } else {
          fileName = path.basename(part.filename || 'upload');
          saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zhd-upload-')), fileName);
          await pipeline(part.file, fs.createWriteStream(saved));
          if (part.file.truncated) throw new AppError(413, 'PAYLOAD_TOO_LARGE', `文件超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
        }
      }
      if (!saved) throw badRequest('请选择要导入的文件', [{ field: 'file', message: '缺少文件' }]);
      if (!channel) throw badRequest('请选择渠道', [{ field: 'channel', message: '缺少渠道' }]);
    } catch (e) {
      removeUpload();
      throw e;
    }
    const file: string = saved;
    let onBatch!: (id: number) => void;
    const started = new Promise<number>((resolve) => (onBatch = resolve));
    const run = importFile(ctx, actorOf(req), { channel, file, origin: 'web', mappingName: mapping, onBatch }).finally(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
    run.catch((e) => req.log.warn({ err: e }, '导入失败'));
    const batchId = await Promise.race([started, run.then((r) => r.batchId)]).catch((e) => Promise.reject(asAppError(e)));
    return reply.status(202).send({ batchId });
  });

  app.get('/imports', {
    config: { access: 'problem.import' },
    schema: { tags, summary: '导入批次（新的在前，分页）', querystring: Paging, response: { 200: z.object({ rows: z.array(Batch), total: z.number() }) } },
  }, async (req) => intakeRepo.listBatches(ctx.db, { ...req.query, creatorUnitPaths: importScope(actorOf(req)) }));

  app.get('/imports/:id', {
    config: { access: 'problem.import' },
    schema: { tags, summary: '导入批次进度', params: IdParam, response: { 200: Batch } },
  }, async (req) => {
    await assertBatchVisible(ctx, actorOf(req), req.params.id);
    const b = await intakeRepo.batchView(ctx.db, req.params.id);
    if (!b) throw notFound('导入批次');
    return b;
  });

  app.get('/imports/:id/errors', {
    config: { access: 'problem.import' },
    schema: {
      tags, summary: '拒收明细（前 100 行，页面显示用；全部见 errors.csv）', params: IdParam,
      response: { 200: z.array(z.object({ rowNo: z.number().nullable(), externalId: z.string().nullable(), field: z.string().nullable(), message: z.string() })) },
    },
  }, async (req) => {
    await assertBatchVisible(ctx, actorOf(req), req.params.id);
    return batchErrors(ctx, req.params.id, 100);
  });

  app.get('/imports/:id/errors.csv', {
    config: { access: 'problem.import' },
    schema: { tags, summary: '拒收明细（CSV）', params: IdParam },
  }, async (req, reply) => {
    await assertBatchVisible(ctx, actorOf(req), req.params.id);
    const errors = await batchErrors(ctx, req.params.id);
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="import-${req.params.id}-errors.csv"; filename*=UTF-8''${encodeURIComponent(`拒收明细-第${req.params.id}批.csv`)}`);
    return errorReportCsv(errors);
  });

  app.post('/regions/rematch', {
    config: { access: 'reference.manage' },
    schema: {
      tags, summary: '按现在的区划（含旧名）重新匹配来件时没对上区域的问题（与导入相同：先看区县和地址，只到市级时再看标题和正文）；对上的写入区域并去掉“区域未匹配”标记，已分拣未派发的按新区域重新给出承办单位建议（写审计）',
      response: { 200: z.object({ checked: z.number(), matched: z.number(), rerouted: z.number().describe('已分拣、未派发而重新给出承办建议的问题数') }) },
    },
  }, async (req) => rematchUnmatchedRegions(ctx, actorOf(req)));

  app.get('/column-mappings', {
    config: { access: 'problem.import' },
    schema: { tags, summary: '已保存的列映射', response: { 200: z.array(z.object({ id: z.number(), channel: z.string(), name: z.string(), mapping: z.record(z.string(), z.string()) })) } },
  }, async () => intakeRepo.listMappings(ctx.db));

  app.post('/column-mappings', {
    config: { access: 'problem.import' },
    schema: {
      tags, summary: '保存列映射（表头 → 字段）',
      body: z.object({ channel: z.string().min(1), name: z.string().trim().min(1).max(50), mapping: z.record(z.string(), z.enum(Object.keys(CANONICAL_FIELDS) as [CanonicalField, ...CanonicalField[]])) }),
      response: { 200: z.object({ id: z.number() }) },
    },
  }, async (req) => saveMapping(ctx, actorOf(req), req.body));
};
