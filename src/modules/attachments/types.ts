/** What an attachment may be, judged by its first bytes rather than by what the sender claims. */
const KINDS: { type: string; ext: string[]; test: (b: Buffer) => boolean }[] = [
  { type: 'image/jpeg', ext: ['jpg', 'jpeg'], test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', ext: ['png'], test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/webp', ext: ['webp'], test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
  { type: 'application/pdf', ext: ['pdf'], test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: ['docx'], test: (b) => b[0] === 0x50 && b[1] === 0x4b },
  { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: ['xlsx'], test: (b) => b[0] === 0x50 && b[1] === 0x4b },
];

export const ALLOWED_EXTENSIONS = KINDS.flatMap((k) => k.ext);

/** The content type for a file whose extension and first bytes agree, or null. */
export function detectType(fileName: string, head: Buffer): string | null {
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  const kind = KINDS.find((k) => k.ext.includes(ext));
  return kind && kind.test(head) ? kind.type : null;
}
