import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorDetail } from '../lib/errors.ts';

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', '提交的内容过大'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', '不支持的内容类型'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BAD_REQUEST', '请求体为空'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BAD_REQUEST', '请求体不是合法的 JSON'],
};

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`);

function fieldName(instancePath: string, missing?: unknown): string {
  const base = instancePath.replace(/^\//, '').replace(/\//g, '.');
  return [base, typeof missing === 'string' ? missing : ''].filter(Boolean).join('.');
}

/** The one error handler: every failure leaves as { code, message, details } and never with a stack trace. */
export function errorHandler(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    return reply.status(error.status).send({ ...error.extra, code: error.code, message: error.message, details: error.details });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext;
    const details: ErrorDetail[] = error.validation.map((v) => ({
      field: [where === 'body' ? '' : where, fieldName(v.instancePath)].filter(Boolean).join('.') || (where ?? ''),
      message: v.message ?? '格式不正确',
    }));
    const first = details[0];
    return reply.status(400).send({ code: 'VALIDATION', message: first ? `${first.field ? `${first.field}：` : ''}${first.message}` : '输入有误', details });
  }
  const code = (error as FastifyError).code;
  const known = code ? FASTIFY_CODES[code] : undefined;
  if (known) {
    const [status, appCode, message] = known;
    // how much would have been taken, for whoever has to split the request
    const limit = status === 413 ? req.routeOptions.bodyLimit : undefined;
    return reply.status(status).send({ code: appCode, message: limit ? `${message}（上限 ${sizeText(limit)}）` : message, details: [] });
  }
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    return reply.status(status).send({ code: 'BAD_REQUEST', message: '请求无效', details: [] });
  }
  req.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send({ code: 'INTERNAL', message: '服务器内部错误，请稍后重试或联系管理员', details: [] });
}
