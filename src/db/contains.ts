import { sql } from 'kysely';

/** A substring test for what people type into a filter box: no LIKE escaping needed (a % or _ typed is just that character). */
export const contains = (column: string, q: string) => sql<boolean>`strpos(${sql.ref(column)}, ${q}) > 0`;
