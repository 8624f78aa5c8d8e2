import path from 'node:path';

/**
 * Where the real citizen messages are: ZHD_SHARED_DATA, by default ../shared/data from the repository root.
 * Only tests and benchmarks read them; the product never does.
 */
export function sharedDataDir(): string {
  return path.resolve(process.env.ZHD_SHARED_DATA || '../shared/data');
}
