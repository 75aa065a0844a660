import { Module } from '@nestjs/common';
import { ApprovalModule } from '../approval/approval.module';
import { MeterHistory } from './meter-history.service';
import { MeterQueries } from './meter-queries.service';
import { ReadingReview } from './reading-review';
import { ReadingReviewPages } from './reading-review.pages';
import { ReadingService } from './reading.service';
import { ReadingsController } from './readings.controller';
import { ReadingsPages } from './readings.pages';
import { ServicePoints } from './service-points.service';

/**
 * Meters, reading windows and readings; the `meter_reading` request kind (ReadingReview
 * registers it on approval's RequestKinds); the customer's reading pages and API and the
 * chart on the clerk's request page. Exports ServicePoints for the e-invoice consent.
 */
@Module({
  imports: [ApprovalModule],
  controllers: [ReadingsController, ReadingsPages, ReadingReviewPages],
  providers: [ReadingService, MeterQueries, MeterHistory, ReadingReview, ServicePoints],
  exports: [ServicePoints, MeterQueries],
})
export class MeteringModule {}
