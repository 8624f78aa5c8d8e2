import type { MultipartFile } from '@fastify/multipart';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';
import { randomToken, sm3Hex } from '../../lib/crypto.ts';
import { AppError, badRequest, notFound } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { actorUserId, type Actor } from '../auth/access.ts';
import { attachmentsRepo } from './repo.ts';
import { ALLOWED_EXTENSIONS, detectType } from './types.ts';

const UPLOAD_TOKEN_MINUTES = 30;

/** A pushed file not stored, and why. */
export type RefusedPushed = { name: string; digest: string; reason: string };

export function createAttachmentsService(ctx: AppContext) {
  const { db, config } = ctx;
  const limits = config.attachments;

  async function read(file: MultipartFile): Promise<Buffer> {
    const data = await file.toBuffer().catch(() => {
      throw new AppError(413, 'PAYLOAD_TOO_LARGE', `附件“${file.filename}”超过 ${Math.round(limits.maxBytes / 1024 / 1024)} MB`);
    });
    if (file.file.truncated) throw new AppError(413, 'PAYLOAD_TOO_LARGE', `附件“${file.filename}”超过 ${Math.round(limits.maxBytes / 1024 / 1024)} MB`);
    return data;
  }

  /** One checked file into the problem's attachments, with its audit row, in the caller's transaction (which holds the problem: lockFiles). */
  async function insert(tx: Tx, actor: Actor, problemId: number, f: { name: string; type: string; data: Buffer; digest: string }) {
    const r = await attachmentsRepo.insert(tx, { problem_id: problemId, file_name: f.name.slice(0, 200), content_type: f.type, size_bytes: f.data.length, digest: f.digest, data: f.data, uploaded_by: actorUserId(actor) });
    await recordAudit(tx, actor, { action: 'attachment.add', targetType: 'problem', targetId: problemId, summary: { attachmentId: r.id, name: r.file_name, size: r.size_bytes } });
    return r;
  }

  return {
    limits,

    /** A short-lived token the citizen's browser uses to add attachments to the report just submitted. */
    async issueUploadToken(problemId: number): Promise<string> {
      const token = randomToken(24);
      await db.insertInto('upload_token').values({ token_hash: sm3Hex(token), problem_id: problemId, expires_at: new Date(Date.now() + UPLOAD_TOKEN_MINUTES * 60_000) }).execute();
      return token;
    },

    async problemOfToken(token: string): Promise<number> {
      const row = await db.selectFrom('upload_token').select(['problem_id', 'expires_at']).where('token_hash', '=', sm3Hex(token)).executeTakeFirst();
      if (!row || row.expires_at < new Date()) throw new AppError(403, 'FORBIDDEN', '上传凭证无效或已过期，请重新提交');
      return row.problem_id;
    },

    /**
     * Stores files for a problem after checking count, size and that each file is what its name says. A file already
     * stored for the problem (the same bytes) counts as stored again, so that sending the same files twice — a retry
     * after a broken connection — adds nothing. Files before a refused one stay stored; the error says how many.
     */
    /**
     * Uploaded files, each checked on its own: a file of the wrong type, an empty one or one past the per-problem count
     * is refused and the rest are stored all the same. Nothing stored and something refused is an error naming each
     * file; a file over the size limit stops the upload (413), saying what was kept before it.
     */
    async store(actor: Actor, problemId: number, files: AsyncIterable<MultipartFile>) {
      const stored: { id: number; file_name: string; content_type: string; size_bytes: number }[] = [];
      const refused: { file: string; message: string }[] = [];
      const refuse = (file: string, message: string) => refused.push({ file, message: `附件“${file}”${message}` });
      for await (const file of files) {
        let data: Buffer;
        try {
          data = await read(file);
        } catch (e) {
          if (e instanceof AppError && stored.length) e.message += `；此前的 ${stored.length} 个附件已保存`;
          throw e;
        }
        if (data.length === 0) {
          refuse(file.filename, '是空文件');
          continue;
        }
        const type = detectType(file.filename, data.subarray(0, 16));
        if (!type) {
          refuse(file.filename, `类型不允许或内容与扩展名不符（允许：${ALLOWED_EXTENSIONS.join('、')}）`);
          continue;
        }
        const digest = sm3Hex(data);
        const row = await db.transaction().execute(async (tx) => {
          const have = await attachmentsRepo.lockFiles(tx, problemId);
          const same = have.find((a) => a.digest === digest);
          if (same) return same;
          if (have.length >= limits.perProblem) return null;
          return insert(tx, actor, problemId, { name: file.filename, type, data, digest });
        });
        if (row) stored.push(row);
        else refuse(file.filename, `未保存：每件反映最多 ${limits.perProblem} 个附件`);
      }
      if (!stored.length) {
        if (refused.length) throw badRequest(refused.map((r) => r.message).join('；'), refused.map((r) => ({ field: 'file', message: r.message })));
        throw badRequest('请选择要上传的附件', [{ field: 'file', message: '缺少文件' }]);
      }
      return { stored, refused };
    },

    /**
     * Files a channel pushed with a record (intake/pushed-files.ts, already checked for type and size): each stored once
     * per problem (a repeat push adds nothing), within the per-problem count. Returns how many were stored and the rest;
     * onRefused is told of the rest (by digest) in the same transaction.
     */
    async addPushed(actor: Actor, problemId: number, files: { name: string; type: string; data: Buffer; digest: string }[], onRefused?: (tx: Tx, refused: RefusedPushed[]) => Promise<void>) {
      return db.transaction().execute(async (tx) => {
        const have = await attachmentsRepo.lockFiles(tx, problemId);
        const digests = new Set(have.map((a) => a.digest));
        let stored = 0;
        const refused: RefusedPushed[] = [];
        for (const f of files) {
          if (digests.has(f.digest)) continue;
          if (digests.size >= limits.perProblem) {
            refused.push({ name: f.name, digest: f.digest, reason: `每件反映最多 ${limits.perProblem} 个附件` });
            continue;
          }
          await insert(tx, actor, problemId, f);
          digests.add(f.digest);
          stored++;
        }
        if (refused.length && onRefused) await onRefused(tx, refused);
        return { stored, refused: refused.map(({ name, reason }) => ({ name, reason })) };
      });
    },

    list: (problemId: number) => attachmentsRepo.list(db, problemId),

    async get(problemId: number, id: number) {
      const row = await attachmentsRepo.get(db, problemId, id);
      if (!row) throw notFound('附件');
      return row;
    },
  };
}
