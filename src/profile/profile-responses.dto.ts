import { ApiProperty } from '@nestjs/swagger';
import { CustomerRequestResponse } from '../approval/request-responses.dto';
import { PAYMENT_METHODS, PaymentMethod } from '../identity/customer.entity';
import { CustomerDataField } from '../identity/customer-records.service';
import { FIELD_ORDER } from './customer-data-rules';

/* The JSON answers of Ügyféladatok (the customer's data, data changes, e-invoice), as OpenAPI schemas. */

class CustomerDataResponse {
  @ApiProperty({ example: 'Minta Mária', description: 'The billing name' }) name!: string;
  @ApiProperty({ type: String, nullable: true, example: 'maria@example.hu' }) email!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '+36301234567' }) phone!: string | null;
  @ApiProperty({ example: '6720' }) postcode!: string;
  @ApiProperty({ example: 'Szeged' }) town!: string;
  @ApiProperty({ example: 'Kárász utca 1.' }) address!: string;
  @ApiProperty({ enum: PAYMENT_METHODS }) paymentMethod!: PaymentMethod;
}

class PendingEmailResponse {
  @ApiProperty({ example: 'uj.cim@example.hu' }) email!: string;
  @ApiProperty({ description: 'When the confirmation link stops working' }) expiresAt!: Date;
}

export class ProfileResponse {
  @ApiProperty({ type: CustomerDataResponse }) data!: CustomerDataResponse;
  @ApiProperty({ enum: FIELD_ORDER, isArray: true, description: 'The fields you may change online' })
  editableFields!: readonly CustomerDataField[];
  @ApiProperty({ enum: PAYMENT_METHODS, isArray: true, description: 'The payment methods you may choose' })
  paymentMethods!: readonly PaymentMethod[];
  @ApiProperty({ type: PendingEmailResponse, nullable: true, description: 'A new e-mail address waiting for its link to be opened' })
  pendingEmail!: PendingEmailResponse | null;
  @ApiProperty({ type: CustomerRequestResponse, nullable: true, description: 'Your latest data change request' })
  latestChange!: CustomerRequestResponse | null;
}

/** A change that became a request (replacing your unreviewed one of the same subject, if any). */
export class SubmittedChangeResponse {
  @ApiProperty({ example: 17 }) requestId!: number;
  @ApiProperty({ example: 1, description: 'Send it as expectedVersion to withdraw' }) version!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Your unreviewed request this one replaced' })
  replacedRequestId!: number | null;
}

export class SubmittedDataChangeResponse extends SubmittedChangeResponse {
  @ApiProperty({ enum: ['submitted'] }) status!: 'submitted';
}

/** A new e-mail address: nothing is a request until the link sent to it is opened. */
export class ConfirmationSentResponse {
  @ApiProperty({ enum: ['confirmation_sent'] }) status!: 'confirmation_sent';
  @ApiProperty({ example: 'uj.cim@example.hu', description: 'Where the confirmation link went' }) email!: string;
}

class ServicePointResponse {
  @ApiProperty({ example: 4 }) id!: number;
  @ApiProperty({ example: '6720 Szeged, Kárász utca 1.' }) address!: string;
  @ApiProperty({ description: 'Invoices go by e-mail (e-számla) instead of on paper' }) eInvoice!: boolean;
  @ApiProperty({ type: CustomerRequestResponse, nullable: true, description: 'The latest e-invoice request of the service point' })
  eInvoiceRequest!: CustomerRequestResponse | null;
}

export class ServicePointListResponse {
  @ApiProperty({ type: [ServicePointResponse] }) items!: ServicePointResponse[];
}
