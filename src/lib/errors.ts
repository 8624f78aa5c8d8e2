/** The one error contract: { code, message, details }. `message` is Chinese, for people. */
export type ErrorDetail = { field?: string; row?: number; message: string };

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** More the client may act on, sent beside code, message and details (e.g. the state and the steps allowed). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) => new AppError(400, 'BAD_REQUEST', message, details);
export const fieldError = (field: string, message: string) => new AppError(400, 'VALIDATION', `${message}`, [{ field, message }]);
export const unauthorized = (message = '请先登录') => new AppError(401, 'UNAUTHORIZED', message);
export const forbidden = (message = '没有执行此操作的权限') => new AppError(403, 'FORBIDDEN', message);
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what}不存在`);
export const conflict = (message: string, details: ErrorDetail[] = []) => new AppError(409, 'CONFLICT', message, details);
