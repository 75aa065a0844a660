import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';
import { isReminderKind, REMINDER_KINDS } from './reminder-kinds';
import { ReminderService } from './reminder.service';

/** One job scheduler per reminder kind, firing daily in Budapest time, and the job that runs a kind. */
@Injectable()
export class ReminderProcessor implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueuesService,
    private readonly reminders: ReminderService,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.runReminders, async (job) => {
      const kind: unknown = job.data.kind;
      if (!isReminderKind(kind)) throw new UnrecoverableError(`Unknown reminder kind ${String(kind)}`);
      return this.reminders.runForAllCompanies(kind);
    });
    for (const kind of REMINDER_KINDS) {
      this.queues.schedule(
        `reminders:${kind}`,
        JOBS.runReminders,
        { pattern: this.config.REMINDER_CRON, tz: 'Europe/Budapest' },
        { kind },
        // A failed run is retried within the hour; the next day's firing catches up anyway.
        { attempts: 5, backoff: { type: 'exponential', delay: 60_000 } },
      );
    }
  }
}
