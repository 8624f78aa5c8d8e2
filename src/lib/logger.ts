import type { LoggerOptions } from 'pino';

/** Mainland mobile numbers, landlines with area code, and 18-character resident ID numbers. */
const PERSONAL_NUMBER = /(?<![0-9])(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}|[1-9][0-9]{16}[0-9Xx])(?![0-9])/g;

export function scrubPersonalNumbers(text: string): string {
  return text.replace(PERSONAL_NUMBER, (m) => `${m.slice(0, 3)}****${m.slice(-2)}`);
}

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
