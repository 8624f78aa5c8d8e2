import crypto from 'node:crypto';

/** 国密 primitives from Node's own OpenSSL: SM3 hashing, SM4-CBC + HMAC-SM3 for personal data at rest. */

export function sm3Hex(data: string | Buffer): string {
  return crypto.createHash('sm3').update(data).digest('hex');
}

const SM3_BLOCK = 64;

/**
 * HMAC-SM3 (RFC 2104) under one key, for the import's hot path: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)) with Node's one-shot
 * crypto.hash, the padded keys prepared once. The same bytes as crypto.createHmac('sm3', key), which costs more per
 * call than the hashing itself (a new object for each value); crypto.test.ts compares the two.
 */
export class HmacSm3 {
  /** K ⊕ ipad, then room for the message (grown as needed). */
  #inner: Buffer;
  /** K ⊕ opad, then the inner digest. */
  readonly #outer = Buffer.alloc(SM3_BLOCK + 32);

  constructor(key: Buffer) {
    const k = Buffer.alloc(SM3_BLOCK);
    (key.length > SM3_BLOCK ? crypto.hash('sm3', key, 'buffer') : key).copy(k);
    this.#inner = Buffer.alloc(SM3_BLOCK + 1024);
    for (let i = 0; i < SM3_BLOCK; i++) {
      this.#inner[i] = k[i]! ^ 0x36;
      this.#outer[i] = k[i]! ^ 0x5c;
    }
  }

  hex(data: string | Buffer): string {
    const room = SM3_BLOCK + (typeof data === 'string' ? data.length * 3 : data.length);
    if (room > this.#inner.length) {
      const grown = Buffer.alloc(Math.max(room, this.#inner.length * 2));
      this.#inner.copy(grown, 0, 0, SM3_BLOCK);
      this.#inner = grown;
    }
    const n = typeof data === 'string' ? this.#inner.write(data, SM3_BLOCK, 'utf8') : data.copy(this.#inner, SM3_BLOCK);
    // 'hex' output: one-shot hashing straight to a string is faster than to a Buffer
    this.#outer.write(crypto.hash('sm3', this.#inner.subarray(0, SM3_BLOCK + n), 'hex'), SM3_BLOCK, 'hex');
    return crypto.hash('sm3', this.#outer, 'hex');
  }

  digest(data: Buffer): Buffer {
    return Buffer.from(this.hex(data), 'hex');
  }
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function generateSm4KeyHex(): string {
  return crypto.randomBytes(16).toString('hex');
}

const VERSION = 'v1';

/** IVs from one pool of random bytes refilled 64 KB at a time: a system call per 4,096 IVs, not one per value. */
const IV_POOL = Buffer.alloc(65_536);
let ivOffset = IV_POOL.length;
function freshIv(): Buffer {
  if (ivOffset + 16 > IV_POOL.length) {
    crypto.randomFillSync(IV_POOL);
    ivOffset = 0;
  }
  const iv = Buffer.from(IV_POOL.subarray(ivOffset, ivOffset + 16));
  ivOffset += 16;
  return iv;
}

/** Encrypts and authenticates short personal values (phone numbers, ID numbers). */
export class FieldCipher {
  readonly #keyHex: string;
  readonly #encKey: Buffer;
  readonly #macKey: Buffer;
  readonly #mac: HmacSm3;
  readonly #index: HmacSm3;
  /** SM4 with the key scheduled once, for values of one block (see encrypt). */
  readonly #blockCipher: crypto.Cipher;
  readonly #block = Buffer.alloc(16);

  constructor(keyHex: string) {
    if (!/^[0-9a-fA-F]{32}$/.test(keyHex)) throw new Error('SM4 密钥必须是 32 位十六进制字符');
    this.#keyHex = keyHex;
    const master = Buffer.from(keyHex, 'hex');
    this.#encKey = master;
    this.#macKey = crypto.createHmac('sm3', master).update('zhd/mac').digest();
    this.#mac = new HmacSm3(this.#macKey);
    this.#index = new HmacSm3(crypto.createHmac('sm3', master).update('zhd/blind-index').digest());
    this.#blockCipher = crypto.createCipheriv('sm4-ecb', master, null).setAutoPadding(false);
  }

  /** The key, for worker threads that build the same cipher (intake's prepare threads). Never to be logged or stored. */
  keyForWorkers(): string {
    return this.#keyHex;
  }

  /**
   * SM4-CBC with a fresh IV and PKCS#7 padding, then HMAC-SM3 over IV ‖ ciphertext. A value of at most 15 bytes (a
   * phone number, a name) is one block, whose CBC encryption is SM4(key, IV ⊕ padded value): computed so with the
   * cipher scheduled once, instead of a new cipher object per value, which costs more than the encryption itself.
   * The same bytes either way (crypto.test.ts checks against Node's sm4-cbc).
   */
  encrypt(plain: string): string {
    const iv = freshIv();
    const block = this.#block;
    const n = Buffer.byteLength(plain, 'utf8');
    let body: Buffer;
    if (n < 16) {
      block.write(plain, 0, 'utf8');
      block.fill(16 - n, n);
      for (let i = 0; i < 16; i++) block[i] = block[i]! ^ iv[i]!;
      body = this.#blockCipher.update(block);
    } else {
      const cipher = crypto.createCipheriv('sm4-cbc', this.#encKey, iv);
      body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    }
    const mac = this.#mac.digest(Buffer.concat([iv, body]));
    return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}.${mac.toString('base64url')}`;
  }

  decrypt(sealed: string): string {
    const [version, ivB64, bodyB64, macB64] = sealed.split('.');
    if (version !== VERSION || !ivB64 || !bodyB64 || !macB64) throw new Error('密文格式无法识别');
    const iv = Buffer.from(ivB64, 'base64url');
    const body = Buffer.from(bodyB64, 'base64url');
    const expected = this.#mac.digest(Buffer.concat([iv, body]));
    const given = Buffer.from(macB64, 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new Error('密文校验失败（密钥不符或数据被改动）');
    const decipher = crypto.createDecipheriv('sm4-cbc', this.#encKey, iv);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }

  /** A keyed hash of content (records that carry personal data), so that the hash reveals nothing by itself. */
  contentHash(data: string): string {
    return this.#index.hex(data);
  }

  /** A keyed hash for exact-match lookups without decrypting (e.g. the same phone across reports). */
  blindIndex(value: string): string {
    return this.#index.hex(value.replace(/\s+/g, ''));
  }
}

// ID numbers by their shape: region, a birth date (19xx/20xx, or yy for the old 15 digits), sequence — so that a record
// number such as WH202611260000198 is not taken for one
const BIRTH_MMDD = '(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])';
const ID_NUMBER_SOURCE = `[1-9]\\d{5}(?:19|20)\\d{2}${BIRTH_MMDD}\\d{3}[\\dXx]|[1-9]\\d{5}\\d{2}${BIRTH_MMDD}\\d{3}`;
// phones as people write them: 139 5530 7777, 139-5530-7777, 139—5530—7777, +86 13955307777, 8613955307777,
// (0553)3845566, 0553 384 5566; and between the usual groups only (139 - 5530 - 7777, 139.5530.7777, 0553.3845566) a
// dash with spaces around it or a dot — a dot elsewhere is an amount (1395.53) or a date (2026.03.05)
const SEP = '[ \\t\\u00a0\\-\\u2013\\u2014\\uff0d]';
const GROUP_SEP = `(?:[ \\t\\u00a0]?[-.\\u2013\\u2014\\uff0d][ \\t\\u00a0]?|${SEP})`;
const MOBILE_SOURCE = `(?:(?:\\+|00)?86${SEP}?|\\(\\+?86\\)${SEP}?)?1[3-9]\\d(?:${GROUP_SEP}\\d{4}${GROUP_SEP}\\d{4}|(?:${SEP}?\\d){8})`;
const LANDLINE_SOURCE = `(?:0\\d{2,3}|\\(0\\d{2,3}\\))${GROUP_SEP}?\\d{3,4}${GROUP_SEP}?\\d{4}`;
/** Mainland mobiles, landlines with area code, resident ID numbers (18 and the old 15 digits), as whole numbers. */
const PERSONAL_NUMBER_SOURCE = `${MOBILE_SOURCE}|${LANDLINE_SOURCE}|${ID_NUMBER_SOURCE}`;
const PERSONAL_NUMBER_IN_TEXT = new RegExp(`(?<![0-9])(?:${PERSONAL_NUMBER_SOURCE})(?![0-9Xx])`, 'g');
const PERSONAL_NUMBER_VALUE = new RegExp(`^\\s*(?:${PERSONAL_NUMBER_SOURCE})\\s*$`);
const PHONE_VALUE = new RegExp(`^\\s*(?:${MOBILE_SOURCE}|${LANDLINE_SOURCE})\\s*$`);

// full-width digits, X, plus, dash, parentheses and space read as their ASCII forms, one character for one, so that
// a match in the converted text is at the same place in the original
const FULL_WIDTH = /[\u3000\uff08\uff09\uff0b\uff0d\uff10-\uff19\uff38\uff58]/g;
const halfWidth = (s: string) => s.replace(FULL_WIDTH, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));

/**
 * A phone number in one form whatever its writing, or null if the value is not (as a whole) a phone number: mobiles
 * as 11 digits (spaces, dashes, +86/86 and full-width digits gone), landlines as area code-number (0553-3845566).
 */
export function normalizePhone(value: string): string | null {
  const v = value.normalize('NFKC');
  if (!PHONE_VALUE.test(v)) return null;
  const d = v.replace(/[^\d]/g, '').replace(/^(?:00)?86(?=1[3-9]\d{9}$)/, '');
  if (/^1[3-9]\d{9}$/.test(d)) return d;
  const area = /^0(?:10|2\d)/.test(d) ? 3 : 4; // Beijing and the 02x cities have 3-digit area codes, the rest 4
  return `${d.slice(0, area)}-${d.slice(area)}`;
}

/** The first phone number written in a text: where it is (in the text as given) and the number in its one form. */
export function firstPhoneIn(text: string): { at: number; length: number; phone: string } | null {
  for (const m of halfWidth(text).matchAll(PERSONAL_NUMBER_IN_TEXT)) {
    const phone = normalizePhone(m[0]);
    if (phone) return { at: m.index, length: m[0].length, phone };
  }
  return null;
}

/** Whether a value (text or number) is, as a whole, a phone or ID number: encrypted wherever a record carries it. */
export function isPersonalNumber(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && PERSONAL_NUMBER_VALUE.test(halfWidth(String(value)));
}

/** The same number masked: the first 3 and the last 4 characters kept (138****1234, 340***********123X). */
export function maskNumber(n: string): string {
  const p = n.replace(/\s+/g, '');
  return p.length <= 7 ? '*'.repeat(p.length) : p.slice(0, 3) + '*'.repeat(p.length - 7) + p.slice(-4);
}

/** Each phone or ID number in a text replaced by `by` (given the number in ASCII, a phone normalized). */
function replaceNumbers(text: string, by: (n: string) => string): string {
  const half = halfWidth(text);
  const number = (m: string) => by(normalizePhone(m) ?? m);
  if (half === text) return text.replace(PERSONAL_NUMBER_IN_TEXT, number);
  let out = '';
  let last = 0;
  for (const m of half.matchAll(PERSONAL_NUMBER_IN_TEXT)) {
    out += text.slice(last, m.index) + number(m[0]);
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}

/** Phone and ID numbers a citizen wrote into a text, masked: for everyone without the permission to see contacts. */
export function maskPersonalNumbers(text: string): string {
  return replaceNumbers(text, maskNumber);
}

/** The same numbers left out altogether (a 保密 report: not even part of the reporter's number is shown). */
export function hidePersonalNumbers(text: string): string {
  return replaceNumbers(text, () => '（号码已隐去）');
}

// digits (full-width too) and what people write between them in a phone or ID number: a run at the end, one at the start
const NUMBER_TAIL = /[+＋(（]*[0-9０-９][0-9０-９Xxｘ \-－–—.()（）]*$/;
const NUMBER_HEAD = /^[ \-－–—.()（）]*[0-9０-９Xxｘ]/;

/** The first `n` characters, never ending inside a number: a phone or ID number cut short is no longer recognised, so never masked. */
export function headOutsideNumbers(s: string, n: number): string {
  if (s.length <= n) return s;
  const h = s.slice(0, n);
  const tail = NUMBER_HEAD.test(s.slice(n)) ? NUMBER_TAIL.exec(h) : null;
  return tail && tail.index > 0 ? h.slice(0, tail.index).trimEnd() : h;
}

/** 138****1234 for mobiles; keeps the first 3 and last 4 of longer numbers, stars for the middle. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const p = phone.replace(/\s+/g, '');
  if (p.length <= 4) return '*'.repeat(p.length);
  if (p.length < 8) return p.slice(0, 1) + '*'.repeat(p.length - 3) + p.slice(-2);
  return p.slice(0, 3) + '*'.repeat(p.length - 7) + p.slice(-4);
}

/** 张* for two characters, 欧** for longer names; Latin nicknames keep their first letter. */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return null;
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(Math.min(chars.length - 1, 3));
}
