import { attachmentDisposition, attachmentType, decodeAttachment, MESSAGE_ATTACHMENT_MAX_BYTES, safeFileName } from './message-attachment';

const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);

describe('message attachments', () => {
  it('know a PDF, PNG and JPEG by their bytes, and nothing else', () => {
    expect(attachmentType(PDF)).toBe('application/pdf');
    expect(attachmentType(PNG)).toBe('image/png');
    expect(attachmentType(JPEG)).toBe('image/jpeg');
    expect(attachmentType(Buffer.from('<html><script>alert(1)</script>'))).toBeNull();
    expect(attachmentType(Buffer.from('GIF89a'))).toBeNull();
  });

  it('take the type from the bytes, whatever the name says', () => {
    const decoded = decodeAttachment('kép.pdf', PNG.toString('base64'));
    expect(decoded).toMatchObject({ fileName: 'kép.pdf', contentType: 'image/png' });
    expect(decodeAttachment('level.pdf', Buffer.from('<svg onload=alert(1)>').toString('base64'))).toEqual({ problem: 'type' });
  });

  it('refuse what is not base64, empty or too large', () => {
    expect(decodeAttachment('a.pdf', 'not base64!')).toEqual({ problem: 'not_base64' });
    expect(decodeAttachment('a.pdf', '')).toEqual({ problem: 'empty' });
    const big = Buffer.concat([PDF, Buffer.alloc(MESSAGE_ATTACHMENT_MAX_BYTES)]);
    expect(decodeAttachment('a.pdf', big.toString('base64'))).toEqual({ problem: 'too_large' });
    const largest = Buffer.concat([PDF, Buffer.alloc(MESSAGE_ATTACHMENT_MAX_BYTES - PDF.length)]);
    expect(decodeAttachment('a.pdf', largest.toString('base64'))).toMatchObject({ contentType: 'application/pdf' });
  });

  it('keep only the name of a file', () => {
    expect(safeFileName('C:\\Users\\x\\Tájékoztató.pdf')).toBe('Tájékoztató.pdf');
    expect(safeFileName('../../etc/"passwd"\r\n')).toBe('passwd');
    expect(safeFileName('///')).toBe('melleklet');
  });

  it('download under the name, with an ASCII fallback', () => {
    expect(attachmentDisposition('Tájékoztató 2026.pdf')).toBe(
      `attachment; filename="Tajekoztato 2026.pdf"; filename*=UTF-8''T%C3%A1j%C3%A9koztat%C3%B3%202026.pdf`,
    );
  });
});
