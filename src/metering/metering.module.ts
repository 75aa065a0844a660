import { Module } from '@nestjs/common';
import { ApprovalModule } from '../approval/approval.module';
import { ReadingExportProcessor } from './reading-export.processor';
import { ReadingService } from './reading.service';

/** Meters, reading windows and readings; registers the `meter_reading` request kind. */
@Module({
  imports: [ApprovalModule],
  providers: [ReadingService, ReadingExportProcessor],
  exports: [ReadingService],
})
export class MeteringModule {}
