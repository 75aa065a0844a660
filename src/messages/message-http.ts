import { PageReply } from '../web/http';
import { attachmentDisposition } from '../notifications/message-attachment';
import { AttachmentFile } from '../notifications/message.service';

/**
 * Sends a message's attachment as a download (the page and the API share it). The type
 * was found from the bytes when it was stored; the sandbox CSP keeps a file opened
 * in the browser from running anything.
 */
export function sendAttachment(res: PageReply, file: AttachmentFile): void {
  res
    .status(200)
    .type(file.contentType)
    .header('Content-Disposition', attachmentDisposition(file.fileName))
    .header('Content-Security-Policy', "default-src 'none'; sandbox")
    .header('Cache-Control', 'private, no-store')
    .send(file.content);
}
