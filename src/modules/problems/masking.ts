import { hidePersonalNumbers, maskPersonalNumbers } from '../../lib/crypto.ts';

/** How a problem's texts read: as written for those who see contacts; else numbers masked, or left out in a 保密 report. */
export function textMasker(confidential: boolean | null | undefined, seesContact: boolean): (text: string) => string {
  return seesContact ? (text) => text : confidential ? hidePersonalNumbers : maskPersonalNumbers;
}

/**
 * What someone without the permission to see contacts (a handling unit, say) reads of a problem: the phone and ID
 * numbers written into its texts masked, and its tracking code shortened — with the whole code the citizen rates the
 * answer on the public page, which a handling unit must not be able to do for its own work. In a 保密 report the
 * numbers are left out altogether.
 */
export function maskedForViewer<T extends { title?: string | null; body?: string | null; tracking_code?: string | null; confidential: boolean | null }>(row: T, seesContact: boolean): T {
  if (seesContact) return row;
  const mask = textMasker(row.confidential, false);
  const texts = Object.fromEntries(CITIZEN_TEXTS.flatMap((k) => { const v = (row as Record<string, unknown>)[k]; return typeof v === 'string' ? [[k, mask(v)]] : []; }));
  const triage = (row as { triage?: { target?: { text?: unknown } | null } | null }).triage;
  return {
    ...row,
    ...texts,
    ...(typeof triage?.target?.text === 'string' && { triage: { ...triage, target: { ...triage.target, text: mask(triage.target.text) } } }),
    ...(row.tracking_code != null && { tracking_code: maskedTrackingCode(row.tracking_code) }),
  };
}

// the columns of a problem a citizen wrote (or intake took from what they wrote)
const CITIZEN_TEXTS = ['title', 'body', 'address', 'region_text', 'target_text', 'unit_text'];

/** A tracking code shortened to what identifies it to staff (ZDAB******YZ), not what rates the answer on the public page. */
export const maskedTrackingCode = (code: string) => `${code.slice(0, 4)}******${code.slice(-2)}`;
