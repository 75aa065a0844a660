import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAYMENT_ACTOR_KINDS, PAYMENT_EVENTS } from './payment-event.entity';
import { PAYMENT_STATUSES, PaymentStatus } from './payment.entity';

/*
 * The JSON answers of the card payment APIs (customer, back office, the bank's IPN),
 * as OpenAPI schemas. Plain classes: the controllers return plain objects of these shapes.
 */

export class StartedPaymentResponse {
  @ApiProperty({ example: 88 }) id!: number;
  @ApiProperty({ enum: ['started'] }) state!: 'started';
  @ApiProperty({ example: 12500, description: 'Whole forints' }) amount!: number;
  @ApiProperty({
    example: 'https://sandbox.simplepay.hu/pay/pay/pspHU/…',
    description: "The bank's card page: send the customer's browser there",
  })
  redirectUrl!: string;
}

class CustomerAllocationResponse {
  @ApiProperty({ example: 41 }) debtItemId!: number;
  @ApiProperty({ example: 'SZ-2026-0001234', description: 'The invoice or debt item reference' }) reference!: string;
  @ApiProperty({ example: 12500, description: 'Whole forints paid towards the item' }) amount!: number;
}

/** A payment as the customer sees it (no order reference, no clerk flags). */
export class CustomerPaymentResponse {
  @ApiProperty({ example: 88 }) id!: number;
  @ApiProperty({ enum: PAYMENT_STATUSES, example: 'succeeded' }) state!: PaymentStatus;
  @ApiProperty({ example: 12500, description: 'Whole forints' }) amount!: number;
  @ApiProperty({ example: 'HUF' }) currency!: string;
  @ApiProperty({ type: String, nullable: true, example: '504233881', description: "The bank's transaction id" })
  bankReference!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true, description: 'When the bank confirmed the payment' }) confirmedAt!: Date | null;
  @ApiProperty({ type: [Number], example: [41, 42], description: 'The debt items the payment was started for' }) debtItemIds!: number[];
  @ApiProperty({ type: [CustomerAllocationResponse], description: 'How the paid amount was allocated to the items' })
  allocations!: CustomerAllocationResponse[];
}

export class CustomerPaymentListResponse {
  @ApiProperty({ type: [CustomerPaymentResponse], description: 'Newest first' }) items!: CustomerPaymentResponse[];
}

class ClerkAllocationResponse extends CustomerAllocationResponse {
  @ApiProperty({ example: 'Távhő, 2026. október' }) description!: string;
  @ApiProperty({ example: 0, description: 'What the item still owes now' }) openAmount!: number;
}

/** A payment as a clerk sees it: the customer, what the bank reported, the order reference and the flag. */
export class ClerkPaymentResponse {
  @ApiProperty({ example: 88 }) id!: number;
  @ApiProperty({ example: 3 }) customerId!: number;
  @ApiProperty({ example: 'SU0044' }) customerCode!: string;
  @ApiProperty({ example: 'Minta Mária' }) customerName!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES, example: 'succeeded' }) status!: PaymentStatus;
  @ApiProperty({ example: 12500, description: 'Whole forints asked' }) amount!: number;
  @ApiProperty({ example: 'HUF' }) currency!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'What the bank reports as paid' }) paidAmount!: number | null;
  @ApiProperty({ type: String, nullable: true }) paidCurrency!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '504233881', description: "The bank's transaction id" })
  bankReference!: string | null;
  @ApiProperty({ format: 'uuid', description: 'The reference the bank knows the payment by' }) orderRef!: string;
  @ApiProperty({ description: 'Needs a clerk: the paid amount could not be allocated by itself' }) flagged!: boolean;
  @ApiProperty({ type: String, nullable: true }) flagReason!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) confirmedAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true, description: "When the bank's card page stops taking the payment" }) expiresAt!: Date | null;
  @ApiProperty({ type: [Number], example: [41, 42] }) debtItemIds!: number[];
  @ApiProperty({ type: [ClerkAllocationResponse] }) allocations!: ClerkAllocationResponse[];
}

export class ClerkPaymentPageResponse {
  @ApiProperty({ type: [ClerkPaymentResponse], description: 'Newest first' }) items!: ClerkPaymentResponse[];
  @ApiProperty({ type: Number, nullable: true, description: 'Pass as `before` for the next page; null on the last page' })
  next!: number | null;
}

class PaymentEventResponse {
  @ApiProperty({ enum: PAYMENT_EVENTS, example: 'succeeded' }) event!: string;
  @ApiProperty({ enum: PAYMENT_ACTOR_KINDS, example: 'bank' }) actorKind!: string;
  @ApiProperty({ type: Number, nullable: true }) actorId!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'FINISHED' }) detail!: string | null;
  @ApiProperty() at!: Date;
}

export class ClerkPaymentDetailResponse extends ClerkPaymentResponse {
  @ApiProperty({ type: [PaymentEventResponse], description: 'The payment’s trail, oldest first' }) events!: PaymentEventResponse[];
}

export class ManualAllocationResponse {
  @ApiProperty({ example: 88 }) paymentId!: number;
  @ApiProperty({ example: 12500, description: 'Whole forints allocated now' }) allocated!: number;
}

/** SimplePay's IPN as the bank sends it: the portal reads merchant, orderRef, transactionId and status; it echoes every field. */
export class SimplePayIpnBody {
  @ApiPropertyOptional({ example: 'd7f2c8e5a1b34f6e9c0a2b4d6e8f0a1c' }) salt?: string;
  @ApiProperty({ format: 'uuid', description: 'The payment’s order reference' }) orderRef!: string;
  @ApiPropertyOptional({ example: 'CARD' }) method?: string;
  @ApiProperty({ example: 'PUBLICTESTHUF', description: 'The merchant account: picks the key the signature is checked with' })
  merchant!: string;
  @ApiPropertyOptional({ example: '2026-11-27T10:15:00+01:00' }) finishDate?: string;
  @ApiPropertyOptional({ example: '2026-11-27T10:14:02+01:00' }) paymentDate?: string;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string' }], example: 504233881 }) transactionId!: number | string;
  @ApiProperty({ example: 'FINISHED', description: "SimplePay's transaction status; the portal asks the bank before believing it" })
  status!: string;
}

/** The acknowledgement SimplePay expects: the IPN echoed with receiveDate added, signed the same way. */
export class SimplePayIpnAcknowledgement extends SimplePayIpnBody {
  @ApiProperty({ example: '2026-11-27T09:15:01+00:00' }) receiveDate!: string;
}
