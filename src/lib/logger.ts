import type { LoggerOptions } from 'pino';
import { maskPersonalNumbers } from './crypto.ts';

/** Mainland mobile numbers, landlines with area code and resident ID numbers, masked in every log line. */
export const scrubPersonalNumbers = maskPersonalNumbers;

/** pino options: JSON lines, request ids, and no secret or personal number in any line. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.newPassword',
        '*.token',
        '*.apiKey',
        '*.phone',
        '*.idNumber',
      ],
      censor: '[已隐藏]',
    },
    serializers: {
      req(req: { id: string; method: string; url: string; ip?: string }) {
        return { id: req.id, method: req.method, url: scrubPersonalNumbers(req.url.split('?')[0] ?? ''), ip: req.ip };
      },
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubPersonalNumbers(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
  };
}
