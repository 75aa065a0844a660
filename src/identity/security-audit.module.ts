import { Global, Module } from '@nestjs/common';
import { SecurityAuditService } from './security-audit.service';

/** The security audit trail, global so identity (customers) and the back office (clerks) both record into it. */
@Global()
@Module({
  providers: [SecurityAuditService],
  exports: [SecurityAuditService],
})
export class SecurityAuditModule {}
