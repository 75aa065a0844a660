import { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from '../../config/configuration';

/** Placeholder: replaced by the web shell (Handlebars views, static files). */
export function configureViews(_app: NestExpressApplication, _config: AppConfig): void {}
