import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../../config/configuration';
import { BEARER_SCHEME, INTEGRATION_KEY_SCHEME } from './api-contract';

/** Every tag an operation may carry, with what it groups (a tag missing here fails the contract test). */
export const API_TAGS: Readonly<Record<string, string>> = {
  auth: 'Customer registration, login, password and account',
  'meter readings': 'The customer’s meters, reading submissions and their requests',
  'back office': 'Clerk login, second factor, clerk administration and the security audit trail',
  'back office: requests': 'The clerks’ work queue: claim, approve, reject, comment, retry',
  'back office: stalled work': 'Supervisors: approved requests not applied and outbox rows not completed, and sending one again',
  'back office: customers': 'The clerks’ customer look-up with one customer’s whole picture, and the central bank base rates',
  'back office: payments': 'The company’s card payments and the manual allocation of a flagged one',
  'customer details': 'Ügyféladatok: the customer’s data and its changes, e-mail confirmation, e-invoice per service point',
  requests: 'The customer’s requests of every kind: one with its timeline, and withdrawal',
  'invoices and debts': 'The customer’s invoices (JSON and PDF), open and paid debt items with late interest, and the home summary',
  payments: 'Card payments of open debt items (SimplePay), and the bank’s payment notification',
  messages: 'Üzenetek: the provider’s messages to the customer, unread count, read marking and attachments',
  'back office: messages': 'Messages to one customer or a segment (town, service type, overdue debt), and what was sent with read counts',
  integration: 'The billing back office (API key): idempotent bulk imports of what it owns, by its own ids (external_ref)',
};

/** The OpenAPI document of the JSON API, generated from the controllers' decorators. */
export function createOpenApiDocument(app: INestApplication, config: Pick<AppConfig, 'PUBLIC_URL'>): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Ügyfélportál API')
    .setDescription(
      'The customer portal and back-office JSON API, for the mobile app and integrations. ' +
        'Log in with `POST /api/v1/auth/login` (customer) or `POST /api/v1/backoffice/auth/login` (clerk) and send the token ' +
        'as `Authorization: Bearer <token>`. Every error answer has the `ErrorResponse` body.',
    )
    .setVersion('1')
    .setLicense('Proprietary: terms of use', `${config.PUBLIC_URL}/terms`)
    .addServer(config.PUBLIC_URL, 'This installation')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A token from one of the login operations' }, BEARER_SCHEME)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'An integration API key (ik_…) an admin created for the company on /backoffice/integration-keys',
      },
      INTEGRATION_KEY_SCHEME,
    );
  for (const [name, description] of Object.entries(API_TAGS)) builder.addTag(name, description);
  const document = builder.build();
  // The operator's contact page; DocumentBuilder would also demand an e-mail address.
  document.info.contact = { name: 'Customer service', url: `${config.PUBLIC_URL}/contact` };
  return SwaggerModule.createDocument(app, document);
}
