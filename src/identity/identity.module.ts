import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { NotificationsModule } from '../notifications/notifications.module';
import { ClerkGuard, CsrfTokenGuard, CustomerGuard } from './auth.guards';
import { LoginThrottleService } from './login-throttle.service';
import { SessionMiddleware } from './session.middleware';
import { SessionService } from './session.service';

/**
 * Customers' identity: registration, login, sessions, password change and reset,
 * account deletion; the session middleware and guards every other module relies on
 * (global, so any controller can use CustomerGuard, ClerkGuard and CsrfTokenGuard).
 */
@Global()
@Module({
  imports: [NotificationsModule],
  providers: [
    SessionService,
    LoginThrottleService,
    CustomerGuard,
    ClerkGuard,
    CsrfTokenGuard,
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    },
  ],
  exports: [SessionService, LoginThrottleService, CustomerGuard, ClerkGuard, CsrfTokenGuard],
})
export class IdentityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
