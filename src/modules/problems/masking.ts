import { maskPersonalNumbers } from '../../lib/crypto.ts';

/**
 * What someone without the permission to see contacts (a handling unit, say) reads of a problem: the phone and ID
 * numbers written into its texts masked, and its tracking code shortened — with the whole code the citizen rates the
 * answer on the public page, which a handling unit must not be able to do for its own work.
 */
export function maskedForViewer<T extends { title?: string | null; body?: string | null; tracking_code?: string | null }>(row: T, seesContact: boolean): T {
  if (seesContact) return row;
  return {
    ...row,
    ...(row.title != null && { title: maskPersonalNumbers(row.title) }),
    ...(row.body != null && { body: maskPersonalNumbers(row.body) }),
    ...(row.tracking_code != null && { tracking_code: `${row.tracking_code.slice(0, 4)}******${row.tracking_code.slice(-2)}` }),
  };
}
