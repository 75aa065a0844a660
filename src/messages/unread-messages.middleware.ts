import { Injectable, NestMiddleware } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { MessageCounts } from '../notifications/message-counts.service';
import { wantsHtml } from '../web/html-exception.filter';

/**
 * Gives the layout a logged-in customer's unread message count (the menu's Üzenetek
 * shows it) on every page they open: one probe of a small partial index. Runs after
 * the session middleware, which tells who is logged in; the JSON API is left alone.
 */
@Injectable()
export class UnreadMessagesMiddleware implements NestMiddleware {
  constructor(private readonly counts: MessageCounts) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const principal = req.principal;
      if (req.method === 'GET' && principal?.kind === 'customer' && wantsHtml(req)) {
        res.locals.unreadMessages = await this.counts.unread(principal.companyId, principal.customerId);
      }
      next();
    } catch (error) {
      next(error);
    }
  }
}
