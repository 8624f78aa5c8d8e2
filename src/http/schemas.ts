import { z } from 'zod';

/** Shapes shared by many routes. */
export const IdParam = z.object({ id: z.coerce.number().int().positive() });

export const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

export const Ok = z.object({ ok: z.literal(true) });
