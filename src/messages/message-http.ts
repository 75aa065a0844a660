import { Response } from 'express';
import { attachmentDisposition } from '../notifications/message-attachment';
import { AttachmentFile } from '../notifications/message.service';

/**
 * Sends a message's attachment as a download (the page and the API share it). The type
 * was found from the bytes when it was stored; the sandbox CSP keeps a file opened
 * in the browser from running anything.
 */
export function sendAttachment(res: Response, file: AttachmentFile): void {
  res
    .status(200)
    .type(file.contentType)
    .setHeader('Content-Disposition', attachmentDisposition(file.fileName))
    .setHeader('Content-Security-Policy', "default-src 'none'; sandbox")
    .setHeader('Cache-Control', 'private, no-store')
    .setHeader('Content-Length', String(file.content.length));
  res.end(file.content);
}
