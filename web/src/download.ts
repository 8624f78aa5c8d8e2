import { ApiError } from './api.ts';

/** The file name of a content-disposition header (filename*=UTF-8''… or filename="…"). */
function fileNameOf(disposition: string | null, fallback: string): string {
  const encoded = disposition?.match(/filename\*=UTF-8''([^;]+)/i)?.[1];
  if (encoded) return decodeURIComponent(encoded);
  return disposition?.match(/filename="?([^";]+)"?/i)?.[1] ?? fallback;
}

/** Fetches a file from the API and saves it under the name the server gives; the server's message on failure. */
export async function downloadFile(path: string, init: { body?: unknown; fallbackName: string }): Promise<void> {
  const res = await fetch(`/api${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, data?.code ?? 'ERROR', data?.message ?? `下载失败（${res.status}）`, data?.details ?? []);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileNameOf(res.headers.get('content-disposition'), init.fallbackName);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
