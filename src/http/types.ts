import type { Permission, Principal } from '../modules/auth/access.ts';

/** Who may call a route: anyone, any signed-in person, a channel's API key, or a holder of a permission. */
export type RouteAccess = 'public' | 'user' | 'apiKey' | Permission;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** Allowed while the user still has to change a temporary password. */
    allowPendingPasswordChange?: boolean;
  }
}

export const SESSION_COOKIE = 'zhd_session';
