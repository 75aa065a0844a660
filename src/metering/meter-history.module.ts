import { Module } from '@nestjs/common';
import { MeterHistory } from './meter-history.service';

/**
 * MeterHistory on its own, with no imports: MeteringModule imports ApprovalModule
 * (the reading request kind registers on its engine), so ApprovalModule cannot
 * import MeteringModule for the history its request detail shows; both import this.
 */
@Module({
  providers: [MeterHistory],
  exports: [MeterHistory],
})
export class MeterHistoryModule {}
