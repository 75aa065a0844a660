import { Module } from '@nestjs/common';
import { ApprovalModule } from '../approval/approval.module';
import { MeterHistoryModule } from './meter-history.module';
import { MeterQueries } from './meter-queries.service';
import { ReadingExportProcessor } from './reading-export.processor';
import { ReadingService } from './reading.service';
import { ReadingsController } from './readings.controller';
import { ReadingsPages } from './readings.pages';

/** Meters, reading windows and readings; registers the `meter_reading` request kind; the customer's reading pages and API. */
@Module({
  imports: [ApprovalModule, MeterHistoryModule],
  controllers: [ReadingsController, ReadingsPages],
  providers: [ReadingService, ReadingExportProcessor, MeterQueries],
  exports: [MeterQueries],
})
export class MeteringModule {}
