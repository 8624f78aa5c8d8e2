import type { FastifyRequest } from 'fastify';
import type { Actor } from '../modules/auth/access.ts';

export function actorOf(req: FastifyRequest): Actor {
  return { principal: req.principal, ip: req.ip ?? null };
}
