import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { NotificationsModule } from '../notifications/notifications.module';
import { CompanyDirectory } from '../web/company-directory.service';
import { AccountDeletionService } from './account-deletion.service';
import { CustomerAuthController } from './customer-auth.controller';
import { CustomerAuthPages } from './customer-auth.pages';
import { CustomerLoginService } from './customer-login.service';
import { CustomerPasswordService } from './customer-password.service';
import { CustomerRecords } from './customer-records.service';
import { RegistrationService } from './registration.service';
import { CsrfTokenGuard, CustomerGuard } from './auth.guards';
import { LoginThrottleService } from './login-throttle.service';
import { SessionMiddleware } from './session.middleware';
import { SessionService } from './session.service';

/**
 * Customers' identity: registration, login, sessions, password change and reset,
 * account deletion; the session middleware and guards every other module relies on
 * (global, so any controller can use CustomerGuard and CsrfTokenGuard; clerks have BackofficeGuard).
 */
@Global()
@Module({
  imports: [NotificationsModule],
  controllers: [CustomerAuthController, CustomerAuthPages],
  providers: [
    CompanyDirectory,
    RegistrationService,
    CustomerLoginService,
    CustomerPasswordService,
    CustomerRecords,
    AccountDeletionService,
    SessionService,
    LoginThrottleService,
    CustomerGuard,
    CsrfTokenGuard,
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    },
  ],
  exports: [CustomerLoginService, CustomerRecords, SessionService, LoginThrottleService, CustomerGuard, CsrfTokenGuard],
})
export class IdentityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
