// Session archives are encrypted before they reach the Actions cache: fork PR workflows can read
// default-branch caches, but they hold no secrets, so a key derived from the model credential is safe.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const MAGIC = Buffer.from('PILOTSE1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256 key from HKDF-SHA256 over the model credential, salted with the repository id. */
export function sessionKey(credential: string, repositoryId: string): Buffer {
  if (!credential) throw new Error('no model credential to derive the session key from');
  return Buffer.from(hkdfSync('sha256', credential, `repo:${repositoryId}`, 'pilot-v1-session', 32));
}

/** MAGIC | iv | tag | ciphertext; the magic is authenticated too, as associated data. */
export function encrypt(plain: Buffer, key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
}

/** Throws when the data is not ours, was changed, or was sealed under another key. */
export function decrypt(sealed: Buffer, key: Buffer): Buffer {
  const head = MAGIC.length + IV_BYTES + TAG_BYTES;
  if (sealed.length < head || !sealed.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error('not a Pilot session archive');
  const iv = sealed.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
  const tag = sealed.subarray(MAGIC.length + IV_BYTES, head);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(MAGIC);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(head)), decipher.final()]);
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
