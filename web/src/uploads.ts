/**
 * The files chosen for a report, sent with its upload token (public form and staff entry alike). The answer says
 * what did not go through (null: everything did) and whether sending the same files again could help: only a fault
 * on the way, never a file refused for what it is.
 */
export async function sendAttachments(url: string, files: { file: File; name: string }[], token: string): Promise<{ problem: string | null; retry: boolean }> {
  const body = new FormData();
  for (const f of files) body.append('file', f.file, f.name);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, credentials: 'same-origin', headers: { 'x-upload-token': token } });
  } catch {
    return { problem: '网络中断', retry: true };
  }
  const answer = (await res.json().catch(() => null)) as { message?: string; count?: number; refused?: { message: string }[] } | null;
  if (res.ok) {
    const refused = answer?.refused ?? [];
    return { problem: refused.length ? `${refused.map((r) => r.message).join('；')}；其余 ${answer?.count ?? 0} 个已上传` : null, retry: false };
  }
  return { problem: answer?.message ?? (res.status === 413 ? '文件过大' : `服务器返回 ${res.status}`), retry: res.status >= 500 || res.status === 429 };
}

/** A report's text is cut at this length by its field (maxLength): said under the field when reached. */
export const CONTENT_MAX = 5000;
export const contentFullHint = (content: string | undefined) =>
  (content?.length ?? 0) >= CONTENT_MAX ? `已达 ${CONTENT_MAX} 字上限，超出的部分没有填入：请精简，或把其余内容作为附件上传` : undefined;
