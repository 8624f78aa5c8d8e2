import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { peopleMessages } from './lib/zod-messages.ts';
import type { AppContext } from './context.ts';
import { errorHandler } from './http/errors.ts';
import { SESSION_COOKIE, type RouteAccess } from './http/types.ts';
import { AppError, forbidden, unauthorized } from './lib/errors.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { hasPermission, PERMISSIONS, type Permission } from './modules/auth/access.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { createAuthService } from './modules/auth/service.ts';
import { orgsRoutes } from './modules/orgs/routes.ts';
import { createOrgsService } from './modules/orgs/service.ts';
import { intakeRoutes } from './modules/intake/routes.ts';
import { problemsRoutes } from './modules/problems/routes.ts';
import { createProblemsService } from './modules/problems/service.ts';
import { createAttachmentsService } from './modules/attachments/service.ts';
import { databaseRateLimitStore } from './modules/ratelimit/store.ts';
import { referenceRoutes } from './modules/reference/routes.ts';
import { routingRoutes } from './modules/routing/routes.ts';
import { triageRoutes } from './modules/triage/routes.ts';
import { calendarRoutes } from './modules/calendar/routes.ts';
import { createCalendarService } from './modules/calendar/service.ts';
import { notificationsRoutes } from './modules/notifications/routes.ts';
import { createNotificationsService } from './modules/notifications/service.ts';
import { workOrdersRoutes } from './modules/workorders/routes.ts';
import { settingsRoutes } from './modules/settings/routes.ts';
import { createSettingsService } from './modules/settings/service.ts';
import { createWorkOrdersService } from './modules/workorders/service.ts';
import { searchRoutes } from './modules/search/routes.ts';
import { analyticsRoutes } from './modules/analytics/routes.ts';
import { reportsRoutes } from './modules/reports/routes.ts';
import { casesRoutes } from './modules/cases/routes.ts';
import { createCasesService } from './modules/cases/service.ts';
import { riskRoutes } from './modules/risk/routes.ts';
import { createRiskService } from './modules/risk/service.ts';
import { createReportsService } from './modules/reports/service.ts';
import { createAnalyticsService } from './modules/analytics/service.ts';
import { createSearchService } from './modules/search/service.ts';

z.config(z.locales.zhCN());
z.config({ customError: peopleMessages });

export type Services = ReturnType<typeof createServices>;

export function createServices(ctx: AppContext) {
  const workOrders = createWorkOrdersService(ctx);
  const problems = createProblemsService(ctx);
  const analytics = createAnalyticsService(ctx, problems);
  return {
    auth: createAuthService(ctx),
    orgs: createOrgsService(ctx),
    problems,
    search: createSearchService(ctx, problems),
    analytics,
    reports: createReportsService(ctx, { analytics, problems }),
    risk: createRiskService(ctx, { problems, workOrders }),
    cases: createCasesService(ctx),
    attachments: createAttachmentsService(ctx),
    workOrders,
    calendar: createCalendarService(ctx, { afterYearSaved: (tx, calendar) => workOrders.recomputeProvisional(tx, calendar) }),
    notifications: createNotificationsService(ctx),
    settings: createSettingsService(ctx),
  };
}

let requestSeq = 0;

export type ApiRoute = { method: string; url: string; access: RouteAccess };

declare module 'fastify' {
  interface FastifyInstance {
    apiRoutes: ApiRoute[];
  }
}

/** Believe the nearest `hops` proxies (X-Forwarded-For read from the right). */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** Whether a path is under /api once percent-escapes are decoded as the router decodes them (an undecodable one counts as the API: refused, never served). */
function isApiPath(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  try {
    const decoded = decodeURIComponent(path);
    return decoded === '/api' || decoded.startsWith('/api/'); // not /api-keys, a page of the web app
  } catch {
    return true;
  }
}

function isPermission(access: RouteAccess): access is Permission {
  return access in PERMISSIONS;
}

export async function buildApp(ctx: AppContext, opts: { webDir?: string | null } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log,
    bodyLimit: ctx.config.bodyLimitBytes,
    // the client address (rate limits, audit rows) and protocol (secure cookies) as the configured proxies tell them
    trustProxy: typeof ctx.config.trustProxy === 'number' ? trustHops(ctx.config.trustProxy) : ctx.config.trustProxy,
    // a caller's request id is kept for tracing, as plain letters and digits only
    genReqId: (req) => String(req.headers['x-request-id'] ?? '').replace(/[^\w.-]/g, '').slice(0, 64) || `r${Date.now().toString(36)}${(++requestSeq).toString(36)}`,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.decorateRequest('principal', null);

  const services = createServices(ctx);

  // Every /api route must say who may call it; a route that forgets fails at start-up, not in production.
  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    if (route.url.startsWith('/api/docs')) {
      // Swagger UI runs inline scripts of its own: the pages' content security policy is not for it
      route.config = { ...(route.config as object), access: 'public' };
      route.helmet = { contentSecurityPolicy: false };
      return;
    }
    const access = (route.config as { access?: RouteAccess } | undefined)?.access;
    if (!access) throw new Error(`路由 ${route.method} ${route.url} 未声明访问权限（config.access）`);
    // the OpenAPI document says how each operation is called: nothing, the x-api-key header, or a session
    if (route.schema) route.schema = { ...route.schema, security: access === 'public' ? [] : access === 'apiKey' ? [{ apiKey: [] }] : [{ session: [] }] } as typeof route.schema;
    for (const method of [route.method].flat()) if (method !== 'HEAD') apiRoutes.push({ method, url: route.url, access });
  });

  // security headers on every response: no framing, no sniffing, scripts only from this server
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'], connectSrc: ["'self'"], objectSrc: ["'none'"], baseUri: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"],
      },
    },
    // the platform may run on plain HTTP inside a government network: HTTPS is the proxy's business
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart);
  await app.register(fastifyRateLimit, {
    global: false,
    store: databaseRateLimitStore(ctx.db),
    // thrown by the plugin, so it goes through the one error handler: an AppError keeps its code and message there
    errorResponseBuilder: (_req, c) => new AppError(429, 'RATE_LIMITED', `请求过于频繁，请 ${Math.ceil(c.ttl / 1000)} 秒后再试`),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: '智慧督 API', description: '行政执法监督平台接口。除登录、公众反映与进度查询外，所有接口都需要登录会话或接入密钥。', version: '0.1.0' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  // Who is calling: a session cookie for people, x-api-key for machine clients. Whether a request is for the API is
  // decided by the route it matched (every /api route declares its access), not by the raw URL, which may spell
  // /api in percent-escapes that the router decodes; a path that matched nothing counts as the API if it decodes to it.
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (!access && !isApiPath(req.url)) return;
    const token = req.cookies[SESSION_COOKIE];
    const apiKey = req.headers['x-api-key'];
    if (token) req.principal = await services.auth.authenticateSession(token);
    else if (typeof apiKey === 'string' && apiKey) req.principal = await services.auth.authenticateApiKey(apiKey);
    if (access !== 'public' && !req.principal) {
      // a machine client is told about its key, a person about logging in
      if (access === 'apiKey' && !token) throw unauthorized(apiKey ? '接入密钥无效或已停用' : '缺少接入密钥（请求头 x-api-key）');
      throw unauthorized(token ? '登录已过期，请重新登录' : '请先登录');
    }
  });

  // What the route needs: checked for every /api route before its input is even parsed.
  app.addHook('preValidation', async (req) => {
    const config = req.routeOptions.config;
    const access = config?.access;
    if (!access || access === 'public') return;
    const p = req.principal!;
    if (access === 'apiKey') {
      if (p.kind !== 'apiKey') throw forbidden('此接口仅供接入密钥调用');
      return;
    }
    if (p.kind !== 'user') throw forbidden('接入密钥不能调用此接口');
    if (p.mustChangePassword && !config.allowPendingPasswordChange) {
      throw new AppError(403, 'PASSWORD_CHANGE_REQUIRED', '请先修改初始密码');
    }
    if (isPermission(access) && !hasPermission(p, access)) throw forbidden(`没有“${PERMISSIONS[access]}”权限`);
  });

  await app.register(
    async (api) => {
      api.get('/health', { config: { access: 'public' }, schema: { hide: true } }, async () => {
        return { ok: true };
      });
      await api.register(authRoutes(services, ctx.config.session.cookieSecure));
      await api.register(orgsRoutes(services));
      await api.register(auditRoutes(ctx));
      await api.register(referenceRoutes(ctx));
      await api.register(intakeRoutes(ctx));
      await api.register(routingRoutes(ctx));
      await api.register(triageRoutes(ctx));
      await api.register(problemsRoutes(services, ctx.config.publicRateLimitPerMinute));
      await api.register(calendarRoutes(services));
      await api.register(workOrdersRoutes(services));
      await api.register(notificationsRoutes(services));
      await api.register(settingsRoutes(services));
      await api.register(searchRoutes(services));
      await api.register(analyticsRoutes(services));
      await api.register(reportsRoutes(services));
      await api.register(riskRoutes(services));
      await api.register(casesRoutes(services));
    },
    { prefix: '/api' },
  );

  const webDir = opts.webDir ?? null;
  const hasWeb = !!webDir && fs.existsSync(path.join(webDir, 'index.html'));
  // files are looked up when asked for, not listed at start: a web build replaced under a running server is served
  if (hasWeb) await app.register(fastifyStatic, { root: webDir!, wildcard: true });

  app.setNotFoundHandler(async (req, reply) => {
    // a page's path gets the app (it routes in the browser); a missing file (/assets/old.js) is missing, not the app
    const isFile = /\.[a-z0-9]{1,8}$/i.test(req.url.split('?')[0]!);
    if (isApiPath(req.url) || req.method !== 'GET' || !hasWeb || isFile) {
      return reply.status(404).send({ code: 'NOT_FOUND', message: '请求的接口或页面不存在', details: [] });
    }
    return reply.type('text/html').sendFile('index.html');
  });

  return app as unknown as FastifyInstance;
}
