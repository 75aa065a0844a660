import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { NotificationsModule } from '../notifications/notifications.module';
import { BackofficeMessagesController } from './backoffice-messages.controller';
import { BackofficeMessagesPages } from './backoffice-messages.pages';
import { MessagesController } from './messages.controller';
import { MessagesPages } from './messages.pages';
import { UnreadMessagesMiddleware } from './unread-messages.middleware';

/**
 * Üzenetek: the customer's inbox and the back office's messages to customers, as pages
 * and JSON. The messages' data and rules are notifications' (MessageService); this
 * module is their HTTP side, apart from notifications because it uses identity's
 * (global) guards and identity imports notifications for its e-mails.
 */
@Module({
  imports: [NotificationsModule],
  controllers: [MessagesController, MessagesPages, BackofficeMessagesController, BackofficeMessagesPages],
  providers: [UnreadMessagesMiddleware],
})
export class MessagesModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly unread: UnreadMessagesMiddleware,
  ) {}

  /** Added while the app initialises, so after bootstrap's session hook: it runs after it. */
  onModuleInit(): void {
    this.adapterHost.httpAdapter?.getInstance<FastifyInstance>().addHook('preHandler', this.unread.hook);
  }
}
