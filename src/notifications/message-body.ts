import MarkdownIt from 'markdown-it';
import { MessageBodyFormat } from './message.entity';

/**
 * Markdown without raw HTML: markdown-it escapes any tag in the source (`html: false`)
 * and refuses `javascript:`, `vbscript:`, `file:` and `data:` links. Images are off
 * (a remote image would tell its host who opened the message); links open as plain
 * links that pass no referrer.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false }).disable(['image']);
markdown.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  tokens[index].attrSet('rel', 'noopener noreferrer nofollow');
  return self.renderToken(tokens, index, options);
};

/** Plain text as HTML: escaped, blank lines make paragraphs, other line breaks stay. */
function plainToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim().length > 0)
    .map((paragraph) => `<p>${markdown.utils.escapeHtml(paragraph).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

/** A message body as HTML that is safe to put in a page: no markup of the author's own ever comes through. */
export function renderMessageBody(format: MessageBodyFormat, body: string): string {
  return format === 'markdown' ? markdown.render(body) : plainToHtml(body);
}
