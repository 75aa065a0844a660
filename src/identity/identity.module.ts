import { Global, Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { NotificationsModule } from '../notifications/notifications.module';
import { CompanyDirectory } from '../web/company-directory.service';
import { AccountDeletionService } from './account-deletion.service';
import { ClerkAdminController } from './clerk-admin.controller';
import { ClerkAdminPages } from './clerk-admin.pages';
import { ClerkAuthController } from './clerk-auth.controller';
import { ClerkAuthPages } from './clerk-auth.pages';
import { ClerkAuthService } from './clerk-auth.service';
import { BackofficeGuard } from './clerk.guard';
import { ClerkService } from './clerk.service';
import { CustomerAuthController } from './customer-auth.controller';
import { CustomerAuthPages } from './customer-auth.pages';
import { CustomerLoginService } from './customer-login.service';
import { CustomerPasswordService } from './customer-password.service';
import { CustomerRecords } from './customer-records.service';
import { RegistrationService } from './registration.service';
import { CsrfTokenGuard, CustomerGuard } from './auth.guards';
import { LoginThrottleService } from './login-throttle.service';
import { LoginUnlockService } from './login-unlock.service';
import { SessionMiddleware } from './session.middleware';
import { SessionService } from './session.service';
import { WriteLimitGuard } from './write-limit.guard';

/**
 * Who is who: customers' registration, login, password change and reset, account
 * deletion; clerks' login with a second factor and their administration (pages and
 * API); sessions, and the middleware and guards every other module relies on
 * (global, so any controller can use CustomerGuard, BackofficeGuard and CsrfTokenGuard).
 */
@Global()
@Module({
  imports: [NotificationsModule],
  controllers: [CustomerAuthController, CustomerAuthPages, ClerkAuthController, ClerkAuthPages, ClerkAdminController, ClerkAdminPages],
  providers: [
    CompanyDirectory,
    RegistrationService,
    CustomerLoginService,
    CustomerPasswordService,
    CustomerRecords,
    AccountDeletionService,
    SessionService,
    SessionMiddleware,
    LoginThrottleService,
    LoginUnlockService,
    CustomerGuard,
    CsrfTokenGuard,
    ClerkService,
    ClerkAuthService,
    BackofficeGuard,
    WriteLimitGuard,
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    },
  ],
  exports: [
    CustomerLoginService,
    CustomerRecords,
    SessionService,
    LoginThrottleService,
    CustomerGuard,
    CsrfTokenGuard,
    ClerkService,
    ClerkAuthService,
    BackofficeGuard,
    WriteLimitGuard,
    CompanyDirectory,
  ],
})
export class IdentityModule {}
