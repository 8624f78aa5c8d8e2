import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { Config } from '../../lib/config.ts';
import { AppError, type ErrorDetail } from '../../lib/errors.ts';

const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of nothing, checked when the user does not exist so that both paths take the same time. */
let dummyHash: Promise<string> | null = null;
export async function burnVerifyTime(password: string): Promise<void> {
  dummyHash ??= hashPassword('zhd-no-such-user');
  await verifyPassword(await dummyHash, password);
}

const CLASSES: [RegExp, string][] = [
  [/[a-z]/, '小写字母'],
  [/[A-Z]/, '大写字母'],
  [/[0-9]/, '数字'],
  [/[^A-Za-z0-9]/, '符号'],
];

/** Rules from the settings: minimum length and how many of the four character classes. */
export function passwordProblems(password: string, policy: Config['password'], username?: string): string[] {
  const problems: string[] = [];
  if (password.length < policy.minLength) problems.push(`密码至少 ${policy.minLength} 位`);
  const classes = CLASSES.filter(([re]) => re.test(password)).length;
  if (classes < policy.minClasses) problems.push(`密码须包含大写字母、小写字母、数字、符号中的至少 ${policy.minClasses} 类`);
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) problems.push('密码不能包含用户名');
  return problems;
}

export function assertPasswordAllowed(password: string, policy: Config['password'], field: string, username?: string): void {
  const problems = passwordProblems(password, policy, username);
  if (problems.length > 0) {
    const details: ErrorDetail[] = problems.map((message) => ({ field, message }));
    throw new AppError(400, 'WEAK_PASSWORD', problems.join('；'), details);
  }
}
