import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { NotificationPreferenceService } from './notification-preference.service';
import { UnsubscribeTarget, verifyUnsubscribeToken } from './unsubscribe-token';

/** Turns a topic off from an e-mail's link, without a login. */
@Injectable()
export class UnsubscribeService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly preferences: NotificationPreferenceService,
  ) {}

  /** The link's target, if the token is one this portal signed for an existing customer. */
  async target(token: string): Promise<UnsubscribeTarget | null> {
    const target = verifyUnsubscribeToken(token, this.config.NOTIFICATION_LINK_SECRET);
    if (!target) return null;
    // A signed token of a customer whose account was deleted has nothing left to turn off.
    return (await this.preferences.hasAccount(target.companyId, target.customerId)) ? target : null;
  }

  async unsubscribe(token: string): Promise<UnsubscribeTarget | null> {
    const target = await this.target(token);
    if (target) await this.preferences.update(target.companyId, target.customerId, { [target.topic]: false });
    return target;
  }
}
