import type { Logger } from 'pino';
import type { Config } from '../../lib/config.ts';

/** One message to one person, as a sender plug-in receives it. `address` is the person's number, decrypted only here. */
export type OutgoingMessage = { id: number; channel: 'sms' | 'wechat' | 'mail'; userId: number | null; username: string | null; address: string | null; subject: string; body: string };

/** A way to deliver messages (an SMS gateway, WeChat, mail). Throwing means "try again later". */
export interface Sender {
  name: string;
  send(message: OutgoingMessage): Promise<void>;
}

/** Writes each message to the log, without the number: the default where no gateway is configured. */
export function logSender(log: Logger): Sender {
  return {
    name: 'log',
    async send(m) {
      log.info({ outboxId: m.id, channel: m.channel, userId: m.userId, subject: m.subject }, '通知已记录（未配置短信网关）');
    },
  };
}

/** POSTs each message as JSON to a gateway the city runs; any answer but 2xx is a failed attempt. */
export function webhookSender(url: string, timeoutMs = 10_000): Sender {
  return {
    name: 'webhook',
    async send(m) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: m.id, channel: m.channel, username: m.username, address: m.address, subject: m.subject, body: m.body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`网关返回 ${res.status}`);
    },
  };
}

export function senderFromConfig(config: Config, log: Logger): Sender {
  return config.outbox.sender === 'webhook' && config.outbox.webhookUrl ? webhookSender(config.outbox.webhookUrl) : logSender(log);
}
