import { Injectable } from '@nestjs/common';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { MessageCounts } from '../notifications/message-counts.service';
import { wantsHtml } from '../web/html-exception.filter';

/**
 * Gives the layout a logged-in customer's unread message count (the menu's Üzenetek
 * shows it) on every page they open: one probe of a small partial index. A Fastify
 * preHandler hook (MessagesModule adds it) after the session hook, which tells who is
 * logged in; the JSON API is left alone.
 */
@Injectable()
export class UnreadMessagesMiddleware {
  constructor(private readonly counts: MessageCounts) {}

  readonly hook: preHandlerAsyncHookHandler = async (req, res) => {
    const principal = req.principal;
    if (req.method === 'GET' && principal?.kind === 'customer' && wantsHtml(req)) {
      res.locals.unreadMessages = await this.counts.unread(principal.companyId, principal.customerId);
    }
  };
}
