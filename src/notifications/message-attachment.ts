/**
 * An attachment travels as base64 inside a JSON body or a form field, and request
 * bodies are limited to 1 MB (bootstrap.ts): 512 KiB is 683 KiB of base64, which
 * leaves room for the message and the form encoding.
 */
export const MESSAGE_ATTACHMENT_MAX_BYTES = 512 * 1024;

export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** The type the bytes really are, by their signature; null for anything else. The sender's word is never taken. */
export function attachmentType(bytes: Buffer): AttachmentType | null {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

export interface DecodedAttachment {
  fileName: string;
  contentType: AttachmentType;
  content: Buffer;
}

export type AttachmentProblem = 'not_base64' | 'empty' | 'too_large' | 'type';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A file name that is only a name: no folders, control or quoting characters, at most 200 characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '').trim();
  return (cleaned || 'melleklet').slice(0, 200);
}

/** Checks an attachment sent as base64: its size (before decoding a byte) and its real type. */
export function decodeAttachment(fileName: string, base64: string): DecodedAttachment | { problem: AttachmentProblem } {
  const compact = base64.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 !== 0) return { problem: 'not_base64' };
  if (compact.length === 0) return { problem: 'empty' };
  if (compact.length > Math.ceil(MESSAGE_ATTACHMENT_MAX_BYTES / 3) * 4) return { problem: 'too_large' };
  const content = Buffer.from(compact, 'base64');
  if (content.length > MESSAGE_ATTACHMENT_MAX_BYTES) return { problem: 'too_large' };
  const contentType = attachmentType(content);
  if (!contentType) return { problem: 'type' };
  return { fileName: safeFileName(fileName), contentType, content };
}

/** Content-Disposition that downloads the file under its name (RFC 6266 / 5987, with an ASCII fallback). */
export function attachmentDisposition(fileName: string): string {
  const ascii =
    fileName
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\%]/g, '') || 'attachment';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
