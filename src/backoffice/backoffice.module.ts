import { Module } from '@nestjs/common';
import { ClerkAuthService } from '../identity/clerk-auth.service';
import { ClerkService } from '../identity/clerk.service';
import { IdentityModule } from '../identity/identity.module';
import { BackofficeController } from './backoffice.controller';
import { BackofficeGuard } from './backoffice.guard';
import { BackofficePages } from './backoffice.pages';

/**
 * The back office's HTTP side: clerk login (with TOTP), home, clerk accounts and
 * the security audit trail, as pages and as JSON API. The clerk domain services
 * live in identity (DESIGN.md puts clerks there); this module only serves them, so
 * that clerk pages, their views and their translations stay in one folder apart
 * from the customer side.
 */
@Module({
  imports: [IdentityModule],
  controllers: [BackofficeController, BackofficePages],
  providers: [ClerkService, ClerkAuthService, BackofficeGuard],
  exports: [ClerkService, ClerkAuthService],
})
export class BackofficeModule {}
